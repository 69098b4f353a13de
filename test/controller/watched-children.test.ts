// Children are watched, not waited for: with the periodic resync a minute away, a Service of an
// app deleted by hand is back, and a TrafficSplit or HTTPRoute edited by hand is repaired, within
// seconds, because the change wakes the app.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles, httpRouteCrd } from '../support/release-harness.ts';
import { createController } from '../../src/controller/controller.ts';
import { until } from '../support/until.ts';

const noMetrics = { measure: async () => { throw new Error('nothing is measured outside a release'); } };


/** An emulator and a controller (resync a minute away) with the app `web` bootstrapped. */
async function bootstrappedWeb(t: TestContext, annotations: Record<string, string> = {}): Promise<KubeConfig> {
  const { kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0 });
  await applyFiles(kc, annotations['fledge.dev/router'] === 'gateway-api' ? [...crdFiles, httpRouteCrd] : crdFiles);
  const controller = await createController({ kubeConfig: kc, metrics: noMetrics, resyncMs: 60_000, log: pino({ level: 'silent' }) });
  await controller.start();
  t.after(() => controller.stop());
  const labels = { app: 'web' };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'default', body: {
    metadata: { name: 'web', annotations: { 'fledge.dev/canary': 'true', ...annotations } },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
  } });
  const custom = kc.makeApiClient(CustomObjectsApi);
  await until('bootstrap', () => custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name: 'web' }) as Promise<{ status?: { phase?: string } }>, (c) => c.status?.phase === 'Ready');
  return kc;
}

test('a Service deleted by hand is recreated at once, not at the next resync', async (t) => {
  const kc = await bootstrappedWeb(t);
  const core = kc.makeApiClient(CoreV1Api);
  const before = await core.readNamespacedService({ namespace: 'default', name: 'web-canary' });
  await core.deleteNamespacedService({ namespace: 'default', name: 'web-canary' });
  const started = Date.now();
  const after = await until('web-canary back', () => core.readNamespacedService({ namespace: 'default', name: 'web-canary' }), (s) => s.metadata?.uid !== before.metadata?.uid, 10);
  assert.deepEqual(after.spec?.selector, { app: 'web' });
  assert.ok(Date.now() - started < 10_000, 'well before the 60 s resync');
});

test('a TrafficSplit edited by hand is repaired at once, not at the next resync', async (t) => {
  const kc = await bootstrappedWeb(t);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const split = { group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: 'default', name: 'web' };
  await custom.patchNamespacedCustomObject({ ...split, body: [{ op: 'replace', path: '/spec/backends', value: [{ service: 'web-primary', weight: 70 }, { service: 'web-canary', weight: 30 }] }] });
  const canaryWeight = (s: { spec: { backends: Array<{ service: string; weight: number }> } }): number | undefined => s.spec.backends.find((b) => b.service === 'web-canary')?.weight;
  const repaired = await until('the split back at 100/0', () => custom.getNamespacedCustomObject(split) as Promise<{ spec: { backends: Array<{ service: string; weight: number }> } }>, (s) => canaryWeight(s) === 0, 10);
  assert.equal(repaired.spec.backends.find((b) => b.service === 'web-primary')?.weight, 100);
});

test('an HTTPRoute edited by hand is repaired at once, not at the next resync', async (t) => {
  const kc = await bootstrappedWeb(t, { 'fledge.dev/router': 'gateway-api' });
  const custom = kc.makeApiClient(CustomObjectsApi);
  const route = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespace: 'default', name: 'web' };
  type Route = { spec: { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> } };
  await custom.patchNamespacedCustomObject({ ...route, body: [{ op: 'replace', path: '/spec/rules/0/backendRefs/1/weight', value: 30 }] });
  const canaryWeight = (r: Route): number | undefined => r.spec.rules[0]?.backendRefs.find((b) => b.name === 'web-canary')?.weight;
  const repaired = await until('the route back at 100/0', () => custom.getNamespacedCustomObject(route) as Promise<Route>, (r) => canaryWeight(r) === 0, 10);
  assert.equal(repaired.spec.rules[0]?.backendRefs.find((b) => b.name === 'web-primary')?.weight, 100);
});
