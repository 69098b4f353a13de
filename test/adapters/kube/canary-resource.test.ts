import { noHookProgress } from '../../../src/core/transitions.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { createClusterObjects } from '../../../src/adapters/kube/cluster.ts';
import type { CanaryObject } from '../../../src/adapters/kube/canary-resource.ts';
import { fromStatus, readRequest, requestAnnotation, toStatus } from '../../../src/adapters/kube/canary-resource.ts';
import type { CanaryState } from '../../../src/core/state.ts';
import { withEmulator } from '../../support/emulator.ts';
import { crdFiles, installCrds } from '../../fixtures/crds/install.ts';

const t0 = Date.parse('2026-11-23T10:00:00Z');
const clock = { now: () => t0 };

function canary(name: string, namespace = 'default'): CanaryObject {
  return { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name, namespace }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, steps: [10, 50] } };
}

const progressing: CanaryState = {
  phase: 'Progressing', revision: '7d9f', lastPromotedRevision: '1a2b', lastFailedRevision: null, canaryWeight: 10, step: 0,
  runStartedAt: t0, stepStartedAt: t0 + 1000, analyzedUntil: t0 + 61_000, progressAt: t0 + 61_000, pausedBy: null, userPaused: false,
  evidence: {
    intervals: 1, noDataStreak: 0, failedChecks: 0, measuredMs: 60_000, rollbackAt: 40,
    metrics: [{ name: 'errors', canaryRequests: 120, canaryEvents: 1, primaryRequests: 1080, primaryEvents: 9, ratio: 1.0, harm: 0.8, safe: 1.2, logLr: { '2': [-0.1], '5': [-0.7] } }],
  },
  handledRequest: null, pausedAt: null, message: 'step 1 of 2 at 10%',
  hooks: { ...noHookProgress(), preRolloutPassed: true, rolloutCalledFor: t0 + 61_000, lastFailure: 'rollout hook failed: HTTP 503' },
};

async function setup(t: { after(fn: () => unknown): void }) {
  const fixture = await withEmulator(t);
  await installCrds(fixture.kubeConfig, crdFiles.canary);
  return { ...fixture, cluster: createClusterObjects(fixture.kubeConfig, { clock }) };
}

void describe('Canary objects in the cluster', () => {
  void it('stores the state in status and reads back the same state', async (t) => {
    const { cluster } = await setup(t);
    const created = await cluster.createCanary(canary('cart'));
    assert.equal(created.status, undefined, 'a new Canary has no status');
    assert.deepEqual(created.spec['steps'], [10, 50], 'spec keeps the resolved configuration');
    const written = await cluster.updateCanaryStatus({ ...created, status: toStatus(progressing, { observedGeneration: 1, conditions: [] }) });
    const read = await cluster.getCanary('default', 'cart');
    assert.ok(read?.status !== undefined);
    assert.deepEqual(fromStatus(read.status), progressing);
    assert.equal(read.status.observedGeneration, 1);
    assert.equal(read.metadata.resourceVersion, written.metadata.resourceVersion);
  });

  void it('refuses a status write based on a stale read with a conflict', async (t) => {
    const { cluster } = await setup(t);
    const created = await cluster.createCanary(canary('cart'));
    await cluster.patchCanaryAnnotations('default', 'cart', { [requestAnnotation]: '{"id":"1","verb":"pause"}' });
    const status = toStatus(progressing, { observedGeneration: 1, conditions: [] });
    await assert.rejects(cluster.updateCanaryStatus({ ...created, status }), { code: 'FLEDGE_API_CONFLICT' });
    const fresh = await cluster.getCanary('default', 'cart');
    await cluster.updateCanaryStatus({ ...fresh!, status });
  });

  void it('writes and removes request annotations with a merge patch, leaving others alone', async (t) => {
    const { cluster } = await setup(t);
    await cluster.createCanary({ ...canary('cart'), metadata: { name: 'cart', namespace: 'default', annotations: { team: 'shop' } } });
    const requested = await cluster.patchCanaryAnnotations('default', 'cart', { [requestAnnotation]: '{"id":"42","verb":"promote"}' });
    assert.deepEqual(readRequest(requested), { id: '42', verb: 'promote' });
    const cleared = await cluster.patchCanaryAnnotations('default', 'cart', { [requestAnnotation]: null });
    assert.equal(readRequest(cleared), null);
    assert.deepEqual(cleared.metadata.annotations, { team: 'shop' });
  });

  void it('lists Canaries in one namespace or in all, and deletes idempotently', async (t) => {
    const { cluster, kubeConfig } = await setup(t);
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'shop' } } });
    await cluster.createCanary(canary('a'));
    await cluster.createCanary(canary('b', 'shop'));
    await cluster.createCanary(canary('c', 'shop'));
    assert.deepEqual((await cluster.listCanaries('shop')).map((c) => c.metadata.name).sort(), ['b', 'c']);
    assert.equal((await cluster.listCanaries()).length, 3);
    await cluster.deleteCanary('shop', 'b');
    await cluster.deleteCanary('shop', 'b');
    assert.equal(await cluster.getCanary('shop', 'b'), null);
  });

  void it('marks a status it cannot read instead of failing the whole object', async (t) => {
    const { cluster, kubeConfig } = await setup(t);
    await cluster.createCanary(canary('cart'));
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const raw = await custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name: 'cart' }) as Record<string, unknown>;
    // The API server takes it (logLr is opaque to the CRD's schema); Fledge cannot read it.
    const written = toStatus(progressing, { observedGeneration: 1, conditions: [] });
    const metrics = written.evidence!.metrics.map((m) => ({ ...m, logLr: { '2': ['lots'] } }));
    const status = { ...written, evidence: { ...written.evidence, metrics } };
    await custom.replaceNamespacedCustomObjectStatus({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name: 'cart', body: { ...raw, status } });
    const read = await cluster.getCanary('default', 'cart');
    assert.equal(read?.status, undefined);
    assert.equal(read?.statusInvalid, true);
  });

  void it('shows phase, weight, the 1-based step of the steps ("-" when idle) and revision in kubectl get canaries', async (t) => {
    if (!existsSync('/usr/bin/kubectl')) return t.skip('kubectl not installed');
    const { cluster, emulator } = await setup(t);
    const created = await cluster.createCanary(canary('cart'));
    const ready = { type: 'Ready', status: 'True' as const, reason: 'Progressing', message: 'step 1 of 2: no harm seen', lastTransitionTime: '2026-11-23T10:00:00.000Z', observedGeneration: 1 };
    await cluster.updateCanaryStatus({ ...created, status: toStatus(progressing, { observedGeneration: 1, conditions: [ready], steps: 2 }) });
    const idle = await cluster.createCanary(canary('shop'));
    await cluster.updateCanaryStatus({ ...idle, status: toStatus({ ...progressing, phase: 'Succeeded', step: -1, canaryWeight: 0 }, { observedGeneration: 1, conditions: [], steps: 2 }) });
    const dir = mkdtempSync(join(tmpdir(), 'fledge-kubectl-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const kubeconfig = join(dir, 'kubeconfig');
    await emulator.writeKubeconfig(kubeconfig);
    const { stdout } = await promisify(execFile)('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'get', 'cn', '-A'], { timeout: 20_000 });
    const [header, row, idleRow] = stdout.trim().split('\n');
    assert.match(header ?? '', /NAMESPACE\s+NAME\s+PHASE\s+WEIGHT\s+STEP\s+REVISION\s+AGE/);
    assert.match(row ?? '', /default\s+cart\s+Progressing\s+10\s+1\/2\s+7d9f\s+/);
    assert.match(idleRow ?? '', /default\s+shop\s+Succeeded\s+0\s+-\s+7d9f\s+/);
    const wide = (await promisify(execFile)('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'get', 'cn', '-A', '-o', 'wide'], { timeout: 20_000 })).stdout.trim().split('\n');
    assert.match(wide[0] ?? '', /AGE\s+REASON\s+MESSAGE$/);
    assert.match(wide.find((line) => line.includes(' cart ')) ?? '', /\s+Progressing\s+step 1 of 2: no harm seen$/);
  });
});
