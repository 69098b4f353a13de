import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { controllerKubeConfig } from '../support/rbac.ts';
import { createController } from '../../src/controller/controller.ts';
import { loadCatalog, type Catalog } from '../../src/config/catalog.ts';
import type { MetricsSource } from '../../src/ports.ts';
import { until } from '../support/until.ts';
import type { AuditRecord } from '../../src/sandbox/emulator/access.ts';

/** The catalog as a cluster scraping every second would configure it. */
async function fastCatalog(): Promise<Catalog> {
  const catalog = await loadCatalog();
  const analysis = new Map([...catalog.analysis].map(([name, template]) => [name, { ...template, scrapeInterval: '1s' }]));
  return { ...catalog, analysis };
}

/** Counts from the split's current weights: a steady 100 requests/s, failing at `canaryFailure`. */
function splitMetrics(kc: KubeConfig, canaryFailure: number): MetricsSource {
  const api = kc.makeApiClient(CustomObjectsApi);
  return {
    measure: async (request) => {
      const split = (await api.getNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: request.namespace, name: request.canary })) as { spec: { backends: Array<{ service: string; weight: number }> } };
      const weight = split.spec.backends.find((b) => b.service.endsWith('-canary'))?.weight ?? 0;
      const total = (100 * (request.end - request.start)) / 1000;
      const canary = Math.round((total * weight) / 100);
      const counts = (n: number, failure: number) => ({ kind: 'value' as const, counts: { requests: n, events: { failures: Math.round(n * failure), slow: 0 } } });
      return { start: request.start, end: request.end, canary: canary === 0 ? { kind: 'no-data' } : counts(canary, canaryFailure), primary: counts(total - canary, 0.001) };
    },
  };
}


describe('the controller process loop', () => {
  for (const [label, failure, outcome] of [['good', 0.001, 'Succeeded'], ['bad', 0.2, 'Failed']] as const) {
    it(`watches an annotated Deployment and releases a ${label} revision to ${outcome}, surviving closed watches`, async (t) => {
      const { emulator, kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0 });
      await applyFiles(kc, crdFiles);
      const verdicts: string[] = [];
      const phases = new Set<string>();
      const releases: string[] = [];
      const controller = await createController({
        // The controller as its ServiceAccount, with deploy/'s RBAC; the test itself is the admin.
        kubeConfig: await controllerKubeConfig(emulator, kc),
        metrics: splitMetrics(kc, failure),
        telemetry: { verdict: (outcome) => verdicts.push(outcome), canary: (_names, phase) => phases.add(phase), released: (_names, release) => releases.push(release.outcome) },
        catalog: await fastCatalog(),
        resyncMs: 1_000,
        log: pino({ level: 'silent' }),
      });
      await controller.start();
      t.after(() => controller.stop());
      const { AppsV1Api } = await import('@kubernetes/client-node');
      const apps = kc.makeApiClient(AppsV1Api);
      const custom = kc.makeApiClient(CustomObjectsApi);
      const labels = { app: 'web' };
      await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name: 'web', annotations: { 'fledge.dev/canary': 'true', 'fledge.dev/interval': '5s', 'fledge.dev/bake': '5s', 'fledge.dev/steps': '50' } },
          spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
        },
      });
      const canary = () => custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name: 'web' }) as Promise<any>;
      await until('bootstrap', canary, (c) => c.status?.phase === 'Ready');
      assert.ok(controller.synced, 'every watch listed the cluster with the RBAC of deploy/ (readiness)');
      const d = await apps.readNamespacedDeployment({ namespace: 'default', name: 'web' });
      d.spec!.template.spec!.containers[0]!.image = 'web:2';
      await apps.replaceNamespacedDeployment({ namespace: 'default', name: 'web', body: d });
      await until('the run to start', canary, (c) => c.status?.phase === 'Progressing');
      emulator.faults.closeWatches();
      const done = await until('the outcome', canary, (c) => c.status?.phase === 'Succeeded' || c.status?.phase === 'Failed');
      assert.equal(done.status.phase, outcome, done.status.message);
      assert.ok(verdicts.length > 0, 'judged intervals are reported to /metrics');
      assert.ok(verdicts.includes(outcome === 'Failed' ? 'rollback' : 'continue'), verdicts.join(','));
      assert.ok(phases.has('Progressing') && phases.has(outcome));
      await until('the release to be counted', () => Promise.resolve(releases), (seen) => seen.length > 0);
      assert.deepEqual(releases, [outcome === 'Succeeded' ? 'promoted' : 'rolled_back'], 'one ended release, counted once');
      const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default' });
      const reasons = new Set(events.items.map((e) => e.reason));
      for (const reason of ['Initialized', 'NewRevision', 'StepAdvanced', outcome === 'Succeeded' ? 'Promoted' : 'RolledBack']) {
        assert.ok(reasons.has(reason), `an Event with reason ${reason} (saw ${[...reasons].join(', ')})`);
      }
    });
  }
});

describe('a replica that may not act', () => {
  it('starts no reconcile while it may not act (no decision logged, no refusal, no write sent), and picks its apps up once it may', async (t) => {
    const audit: AuditRecord[] = [];
    const { emulator, kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0, audit: (record) => audit.push(record) });
    await applyFiles(kc, crdFiles);
    const lines: Array<{ msg: string; reason?: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as { msg: string; reason?: string }); } });
    let mayAct = false;
    const controller = await createController({
      kubeConfig: await controllerKubeConfig(emulator, kc),
      metrics: splitMetrics(kc, 0.001),
      catalog: await fastCatalog(),
      resyncMs: 500,
      log,
      mayAct: () => mayAct,
      identity: 'replica-b',
    });
    await controller.start();
    t.after(() => controller.stop());
    const { AppsV1Api } = await import('@kubernetes/client-node');
    const labels = { app: 'web' };
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web', annotations: { 'fledge.dev/canary': 'true' } },
        spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
      },
    });
    const fromController = (): AuditRecord[] => audit.filter((r) => r.userAgent.endsWith('(replica-b)'));
    await until('the watches to list', () => Promise.resolve(controller.synced), (synced) => synced);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.ok(fromController().some((r) => r.verb === 'list'), 'it reads (its watches list the cluster)');
    assert.ok(fromController().some((r) => r.verb === 'watch'), 'its watches name the replica too');
    assert.deepEqual(fromController().filter((r) => !['get', 'list', 'watch'].includes(r.verb)).map((r) => `${r.verb} ${r.resource}`), [], 'no write sent');
    assert.deepEqual(lines.filter((l) => l.reason !== undefined || l.msg.startsWith('reconcile failed')).map((l) => l.msg), [], 'no decision logged, no reconcile tried and refused');
    mayAct = true;
    const custom = kc.makeApiClient(CustomObjectsApi);
    const canary = () => custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name: 'web' }).catch(() => null) as Promise<any>;
    await until('the app to be bootstrapped', canary, (c) => c?.status?.phase === 'Ready');
    assert.ok(fromController().some((r) => r.verb === 'create' && r.resource === 'canaries'), 'its writes name the replica in their User-Agent');
  });
});
