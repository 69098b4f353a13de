import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { createClusterObjects } from '../../../src/adapters/kube/cluster.ts';
import { eventName } from '../../../src/adapters/kube/events.ts';
import { withEmulator } from '../../support/emulator.ts';
import { crdFiles, installCrds } from '../../fixtures/crds/install.ts';

const namespace = 'default';

function deployment(name: string, image = 'app:1'): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, namespace },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } } },
  };
}

async function setup(t: { after(fn: () => unknown): void }, start = Date.parse('2026-11-23T10:00:00Z')) {
  const fixture = await withEmulator(t);
  const time = { now: start };
  const cluster = createClusterObjects(fixture.kubeConfig, { clock: { now: () => time.now } });
  return { ...fixture, cluster, time };
}

void describe('cluster objects', () => {
  void it('creates, reads, patches, scales and replaces Deployments', async (t) => {
    const { cluster } = await setup(t);
    assert.equal(await cluster.getDeployment(namespace, 'app'), null, 'a missing Deployment reads as null');
    await cluster.createDeployment(deployment('app'));
    const patched = await cluster.patchDeployment(namespace, 'app', { metadata: { annotations: { 'fledge.dev/canary': 'true' } } });
    assert.equal(patched.metadata?.annotations?.['fledge.dev/canary'], 'true');
    assert.equal(patched.spec?.template.spec?.containers[0]?.image, 'app:1', 'a merge patch keeps the rest');
    await cluster.scaleDeployment(namespace, 'app', 0);
    const scaled = await cluster.getDeployment(namespace, 'app');
    assert.equal(scaled?.spec?.replicas, 0);
    const next = { ...scaled!, spec: { ...scaled!.spec!, template: deployment('app', 'app:2').spec!.template } };
    const replaced = await cluster.replaceDeployment(next);
    assert.equal(replaced.spec?.template.spec?.containers[0]?.image, 'app:2');
  });

  void it('creates, replaces and deletes Services; deleting twice is fine', async (t) => {
    const { cluster } = await setup(t);
    const created = await cluster.createService({ metadata: { name: 'app-canary', namespace }, spec: { selector: { app: 'app' }, ports: [{ port: 80 }] } });
    const replaced = await cluster.replaceService({ ...created, spec: { ...created.spec, selector: { app: 'app-v2' } } });
    assert.deepEqual(replaced.spec?.selector, { app: 'app-v2' });
    await cluster.deleteService(namespace, 'app-canary');
    await cluster.deleteService(namespace, 'app-canary');
    assert.equal(await cluster.getService(namespace, 'app-canary'), null);
  });

  void it('applies the primary copies of ConfigMaps and Secrets: create, then replace', async (t) => {
    const { cluster } = await setup(t);
    assert.equal(await cluster.getConfigMap(namespace, 'cfg-primary'), null);
    await cluster.applyConfigMap({ metadata: { name: 'cfg-primary', namespace }, data: { level: 'info' } });
    await cluster.applyConfigMap({ metadata: { name: 'cfg-primary', namespace }, data: { level: 'debug' } });
    assert.deepEqual((await cluster.getConfigMap(namespace, 'cfg-primary'))?.data, { level: 'debug' });
    await cluster.applySecret({ metadata: { name: 'tls-primary', namespace }, data: { key: Buffer.from('one').toString('base64') } });
    await cluster.applySecret({ metadata: { name: 'tls-primary', namespace }, data: { key: Buffer.from('two').toString('base64') } });
    const secret = await cluster.getSecret(namespace, 'tls-primary');
    assert.equal(Buffer.from(secret?.data?.['key'] ?? '', 'base64').toString(), 'two');
  });

  void it('records an Event about the Canary once and counts its repeats', async (t) => {
    const { cluster, kubeConfig, time } = await setup(t);
    await installCrds(kubeConfig, crdFiles.canary);
    const canary = await cluster.createCanary({ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'app', namespace }, spec: {} });
    const first = time.now;
    const event = { canary, severity: 'Warning', reason: 'MetricsUnavailable', message: 'Prometheus did not answer' } as const;
    await cluster.recordEvent(event);
    time.now += 30_000;
    await cluster.recordEvent(event);
    time.now += 30_000;
    await cluster.recordEvent(event);
    await cluster.recordEvent({ ...event, severity: 'Normal', reason: 'Resumed', message: 'Prometheus answers again' });
    const { items } = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace });
    assert.equal(items.length, 2);
    const repeated = items.find((e) => e.reason === 'MetricsUnavailable');
    assert.equal(repeated?.count, 3);
    assert.equal(repeated?.type, 'Warning');
    assert.equal(repeated?.source?.component, 'fledge');
    assert.deepEqual(
      { kind: repeated?.involvedObject.kind, name: repeated?.involvedObject.name, uid: repeated?.involvedObject.uid, apiVersion: repeated?.involvedObject.apiVersion },
      { kind: 'Canary', name: 'app', uid: canary.metadata.uid, apiVersion: 'fledge.dev/v1alpha1' },
    );
    assert.equal(new Date(repeated?.firstTimestamp ?? 0).getTime(), first);
    assert.equal(new Date(repeated?.lastTimestamp ?? 0).getTime(), first + 60_000);
  });

  void it('names Events per object, reason and message, within the API\'s name limit', () => {
    const canary = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'x'.repeat(253), namespace, uid: 'u1' } };
    const a = eventName({ canary, severity: 'Normal', reason: 'StepAdvanced', message: 'to 10%' });
    const b = eventName({ canary, severity: 'Normal', reason: 'StepAdvanced', message: 'to 50%' });
    assert.notEqual(a, b);
    assert.ok(a.length <= 253);
    assert.equal(a, eventName({ canary, severity: 'Normal', reason: 'StepAdvanced', message: 'to 10%' }));
  });
});
