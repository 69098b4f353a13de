// An app with a HorizontalPodAutoscaler, released against the emulator as the controller's
// ServiceAccount (deploy/'s RBAC), with the sandbox's simulated autoscaler acting on a scripted
// load: the primary gets an HPA of its own, the app's HPA never scales the idle app up, the
// canary starts at the size the HPA gives the primary, promotion waits for the primary at the
// size its HPA wants, and hand-back gives the app back to its own HPA.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, AutoscalingV2Api, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { apiAutoscalerCluster, createAutoscaler } from '../../src/sandbox/autoscaler.ts';
import { memoryHarness, releaseHarness, type Harness, type MemoryHarness } from '../support/release-harness.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50' };
const perPodRps = 100;

function appHpa(): V2HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'shop', namespace: 'default', labels: { team: 'checkout' } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop' },
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    },
  };
}

/** Requests per second each Deployment receives: the split's weights of a scripted total. */
function loadOf(h: Harness, total: () => number): (namespace: string, deployment: string) => number {
  return (_namespace, deployment) => {
    const last = h.writes.at(-1);
    const canaryShare = last === undefined ? 100 : last.canaryWeight;
    if (deployment === 'shop') return (total() * canaryShare) / 100;
    return deployment === 'shop-primary' ? (total() * (100 - canaryShare)) / 100 : 0;
  };
}

async function hpaOf(h: Harness, name: string): Promise<V2HorizontalPodAutoscaler | null> {
  try {
    return await h.kc.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name });
  } catch {
    return null;
  }
}

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('an autoscaled app', () => {
  it('is released with an HPA of the primary\'s own, promoted at the size that HPA wants, and handed back to its own HPA', { timeout: 240_000 }, async (t) => {
    const h = await releaseHarness(t);
    let rps = 300;
    const autoscaler = createAutoscaler({ cluster: apiAutoscalerCluster(h.kc), load: loadOf(h, () => rps), perPodRps, now: () => h.now() });
    h.beforeStep = async () => {
      await autoscaler.step();
    };
    await h.deploy('shop', { annotations: fast, replicas: 3 });
    const created = await h.kc.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: appHpa() });
    await h.runUntil('shop', (s) => s.phase === 'Ready');

    // The primary has its own HPA: the app's spec aimed at the primary, owned by the Canary.
    const primaryHpa = await hpaOf(h, 'shop-primary');
    assert.ok(primaryHpa !== null, 'shop-primary HPA created');
    assert.equal(primaryHpa.spec?.scaleTargetRef.name, 'shop-primary');
    assert.deepEqual(json({ ...primaryHpa.spec, scaleTargetRef: undefined }), json({ ...created.spec, scaleTargetRef: undefined }));
    assert.equal(primaryHpa.metadata?.ownerReferences?.[0]?.kind, 'Canary');
    // Idle: the app stays at zero whatever its HPA would like (300 rps would ask for 6 pods).
    for (let i = 0; i < 3; i += 1) await autoscaler.step();
    assert.equal((await h.deployment('shop')).spec?.replicas, 0);
    const idleStatus = (await hpaOf(h, 'shop'))?.status;
    assert.equal(idleStatus?.conditions?.find((c) => c.type === 'ScalingActive')?.reason, 'ScalingDisabled');
    // The primary is scaled by its HPA: 300 rps at 50 rps per pod.
    await h.step('shop');
    assert.equal((await h.deployment('shop-primary')).spec?.replicas, 6);

    // A release: the canary starts at the size the HPA gives the primary.
    await h.setImage('shop', 'shop:2.0');
    await h.runUntil('shop', (s) => s.phase === 'Progressing');
    const started = (await h.events()).find((e) => e.reason === 'NewRevision');
    assert.match(started?.message ?? '', /scaling the canary to 6 replicas/);
    assert.equal((await h.deployment('shop')).spec?.replicas, 6);
    // During the run the app's HPA sizes the canary for its share (10% of 300 rps: its minimum, 2), and Fledge lets it.
    await h.runUntil('shop', (s) => s.canaryWeight === 10);
    for (let i = 0; i < 3; i += 1) {
      await autoscaler.step();
      await h.step('shop');
    }
    assert.equal((await h.deployment('shop')).spec?.replicas, 2);
    // Load grows mid-run: the primary's HPA wants 8 (its maximum; 500 rps would ask for 10).
    rps = 500;
    const promoted = await h.runUntil('shop', (s) => s.phase === 'Succeeded' || s.phase === 'Failed');
    assert.equal(promoted.status.phase, 'Succeeded');
    // Promotion raised the primary's HPA to the pods serving then (primary 5 + canary 5, at most 8)
    // and waited for the primary at that size before routing everything to it.
    const primary = await h.deployment('shop-primary');
    assert.ok((primary.status?.readyReplicas ?? 0) >= 8, `the primary carried the full load at the cut-over (${primary.status?.readyReplicas} ready)`);
    assert.ok(h.writes.at(-1)?.canaryWeight === 0);
    // Once promoted, the primary's HPA has the app's spec again (minReplicas 2), and follows the load.
    await h.step('shop');
    const after = await hpaOf(h, 'shop-primary');
    assert.equal(after?.spec?.minReplicas, 2);
    assert.equal(after?.metadata?.annotations?.['fledge.dev/promotion-floor'], undefined);
    await autoscaler.step();
    assert.equal((await hpaOf(h, 'shop-primary'))?.status?.desiredReplicas, 8, '500 rps at 50 per pod asks for 10: its maximum');
    assert.equal((await h.deployment('shop')).spec?.replicas, 0);
    assert.deepEqual(json((await hpaOf(h, 'shop'))?.spec), json(created.spec), 'the app\'s HPA is never changed');
    assert.deepEqual(h.violations, []);

    // Hand-back: the app runs at the primary's size, the primary's HPA goes, the app's HPA scales it again.
    await h.kc.makeApiClient(AppsV1Api).patchNamespacedDeployment({
      namespace: 'default', name: 'shop', body: [{ op: 'replace', path: '/metadata/annotations/fledge.dev~1canary', value: 'false' }],
    });
    for (let i = 0; i < 20 && (await h.canary('shop').then(() => true, () => false)); i += 1) {
      await h.step('shop');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await assert.rejects(h.canary('shop'), /404|not found/i);
    assert.equal(await hpaOf(h, 'shop-primary'), null, 'the primary\'s HPA is deleted');
    assert.equal((await h.deployment('shop')).spec?.replicas, 8);
    rps = 200;
    await createAutoscaler({ cluster: apiAutoscalerCluster(h.kc), load: () => rps, perPodRps, now: () => h.now() }).step();
    assert.equal((await h.deployment('shop')).spec?.replicas, 4, 'the app\'s own HPA scales it again');
    assert.deepEqual(h.errors, []);
  });
});

describe('the primary\'s HPA (in-memory cluster)', () => {
  const put = async (h: MemoryHarness, hpa: V2HorizontalPodAutoscaler): Promise<void> => h.put('horizontalpodautoscalers', hpa as Record<string, any>);
  const hpa = (h: MemoryHarness, name: string): Record<string, any> | null => h.cluster.store.peek('horizontalpodautoscalers', 'default', name);

  it('is written again when edited by hand, and deleted when the app\'s HPA goes', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('shop', { annotations: fast });
    await put(h, appHpa());
    await h.runUntil('shop', (s) => s.phase === 'Ready');
    await h.edit('horizontalpodautoscalers', 'shop-primary', (o) => {
      o.spec.maxReplicas = 20;
    });
    await h.step('shop');
    assert.equal(hpa(h, 'shop-primary')?.spec.maxReplicas, 8);
    assert.ok((await h.events()).some((e) => e.reason === 'HpaSynced'));
    await h.remove('horizontalpodautoscalers', 'shop');
    await h.step('shop');
    assert.equal(hpa(h, 'shop-primary'), null);
  });

  it('for a promotion raises its minReplicas to the primary and canary serving then and scales the primary to it, without waiting for an autoscaler', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('shop', { annotations: fast, replicas: 3 });
    await put(h, appHpa());
    await h.runUntil('shop', (s) => s.phase === 'Ready');
    await h.setImage('shop', 'shop:2.0');
    await h.runUntil('shop', (s) => s.phase === 'Promoting');
    await h.step('shop');
    // No autoscaler runs here: primary 3 + canary 3 serve the app, so the floor is 6 (within 8).
    assert.equal(hpa(h, 'shop-primary')?.spec.minReplicas, 6);
    assert.equal(hpa(h, 'shop-primary')?.metadata.annotations?.['fledge.dev/promotion-floor'], '6');
    assert.equal((await h.deployment('shop-primary')).spec?.replicas, 6);
    await h.runUntil('shop', (s) => s.phase === 'Succeeded');
    assert.equal(h.writes.at(-1)?.canaryWeight, 0);
    await h.step('shop');
    assert.equal(hpa(h, 'shop-primary')?.spec.minReplicas, 2, 'the app\'s spec again once promoted');
    assert.equal(hpa(h, 'shop-primary')?.metadata.annotations?.['fledge.dev/promotion-floor'], undefined);
  });

  it('holds the release when an HPA under the primary\'s name is someone else\'s, and never changes it', async (t) => {
    const h = await memoryHarness(t);
    const theirs = { ...appHpa(), metadata: { name: 'shop-primary', namespace: 'default' } };
    await put(h, theirs);
    await put(h, appHpa());
    await h.deploy('shop', { annotations: fast });
    await h.step('shop');
    const valid = (await h.canary('shop')).status.conditions.find((c: { type: string }) => c.type === 'ConfigValid');
    assert.equal(valid.reason, 'ForeignObject');
    assert.match(valid.message, /HorizontalPodAutoscaler shop-primary \(owner: no owner\)/);
    assert.equal(hpa(h, 'shop-primary')?.spec.scaleTargetRef.name, 'shop');
    assert.equal(h.cluster.store.peek('deployments', 'default', 'shop-primary'), null, 'nothing created');
  });
});
