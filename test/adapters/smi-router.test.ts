import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { managedByLabel, readWeights } from '../../src/adapters/smi-router.ts';
import { createRouter } from '../../src/adapters/router-factory.ts';
import type { SmiRouterKind as RouterKind } from '../../src/adapters/smi-router.ts';
import type { RouteRef } from '../../src/ports.ts';
import { withEmulator } from '../support/emulator.ts';
import { crdFiles, installCrds } from '../fixtures/crds/install.ts';

// No owner here: the emulator, like the real garbage collector, deletes objects whose owner is gone.
const ref: RouteRef = { namespace: 'default', name: 'app', primaryService: 'app-primary', canaryService: 'app-canary' };

interface Split {
  apiVersion: string;
  metadata: { labels?: Record<string, string>; ownerReferences?: { uid: string; kind: string; controller?: boolean }[]; resourceVersion?: string };
  spec: { service: string; backends: { service: string; weight: number | string }[] };
}

function splits(kc: KubeConfig, version: string) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const gvp = { group: 'split.smi-spec.io', version, plural: 'trafficsplits', namespace: 'default' };
  return {
    get: async (name = 'app') => (await api.getNamespacedCustomObject({ ...gvp, name })) as Split,
    create: (body: unknown) => api.createNamespacedCustomObject({ ...gvp, body }),
  };
}

const weights = (split: Split) => Object.fromEntries(split.spec.backends.map((b) => [b.service, b.weight]));

const crdFor: Record<RouterKind, string> = {
  'smi-v1alpha1': crdFiles.linkerdSmi,
  'smi-v1alpha2': crdFiles.linkerdSmi,
  'smi-v1alpha3': crdFiles.smiSdkV1alpha3,
  'smi-v1alpha4': crdFiles.smiSdk,
};

async function cluster(t: { after(fn: () => unknown): void }, kind: RouterKind) {
  const { emulator, kubeConfig } = await withEmulator(t);
  await installCrds(kubeConfig, crdFor[kind]);
  return { emulator, kubeConfig, router: createRouter(kind, kubeConfig) };
}

void describe('SMI TrafficSplit router', () => {
  for (const [kind, written] of [
    ['smi-v1alpha1', { 'app-primary': '75', 'app-canary': '25' }],
    ['smi-v1alpha2', { 'app-primary': 75, 'app-canary': 25 }],
    ['smi-v1alpha3', { 'app-primary': 75, 'app-canary': 25 }],
    ['smi-v1alpha4', { 'app-primary': 75, 'app-canary': 25 }],
  ] as const) {
    void it(`writes ${kind} weights that sum to 100 and reads them back`, async (t) => {
      const { kubeConfig, router } = await cluster(t, kind);
      assert.deepEqual(await router.read(ref), { kind: 'missing' });
      await router.write(ref, 25);
      const version = kind.slice('smi-'.length);
      const split = await splits(kubeConfig, version).get();
      assert.equal(split.apiVersion, `split.smi-spec.io/${version}`);
      assert.equal(split.spec.service, 'app');
      assert.deepEqual(weights(split), written);
      assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 25, primaryWeight: 75, exact: true });
      await router.write(ref, 100);
      assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 100, primaryWeight: 0, exact: true });
    });
  }

  void it('labels the split it creates as Fledge\'s and makes the Canary its controlling owner', async (t) => {
    const { kubeConfig, router } = await cluster(t, 'smi-v1alpha2');
    await installCrds(kubeConfig, crdFiles.canary);
    const canary = (await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default',
      body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'app', namespace: 'default' }, spec: {} },
    })) as { metadata: { uid: string } };
    const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'app', uid: canary.metadata.uid };
    await router.write({ ...ref, owner }, 0);
    const split = await splits(kubeConfig, 'v1alpha2').get();
    assert.equal(split.metadata.labels?.[managedByLabel], 'fledge');
    assert.deepEqual(split.metadata.ownerReferences?.map((o) => [o.kind, o.uid, o.controller]), [['Canary', owner.uid, true]]);
    assert.deepEqual(weights(split), { 'app-primary': 100, 'app-canary': 0 });
  });

  void it('does not write when the weights are already right', async (t) => {
    const { kubeConfig, router } = await cluster(t, 'smi-v1alpha2');
    await router.write(ref, 10);
    const before = (await splits(kubeConfig, 'v1alpha2').get()).metadata.resourceVersion;
    await router.write(ref, 10);
    assert.equal((await splits(kubeConfig, 'v1alpha2').get()).metadata.resourceVersion, before);
  });

  void it('reads quantity weights such as 900m/100m as percentages', async (t) => {
    const { kubeConfig, router } = await cluster(t, 'smi-v1alpha1');
    await splits(kubeConfig, 'v1alpha1').create({
      apiVersion: 'split.smi-spec.io/v1alpha1', kind: 'TrafficSplit',
      metadata: { name: 'app', namespace: 'default', labels: { [managedByLabel]: 'fledge' } },
      spec: { service: 'app', backends: [{ service: 'app-primary', weight: '900m' }, { service: 'app-canary', weight: '100m' }] },
    });
    assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 10, primaryWeight: 90, exact: false });
    await router.write(ref, 10);
    assert.deepEqual(weights(await splits(kubeConfig, 'v1alpha1').get()), { 'app-primary': '90', 'app-canary': '10' }, 'rewritten to sum to 100');
  });

  void it('reads a split stored as v1alpha1 through v1alpha2 and vice versa', async (t) => {
    const { kubeConfig } = await cluster(t, 'smi-v1alpha1');
    await createRouter('smi-v1alpha1', kubeConfig).write(ref, 30);
    assert.deepEqual(await createRouter('smi-v1alpha2', kubeConfig).read(ref), { kind: 'routed', canaryWeight: 30, primaryWeight: 70, exact: true });
  });

  void it('never takes over a TrafficSplit that is not Fledge\'s', async (t) => {
    const { kubeConfig, router } = await cluster(t, 'smi-v1alpha2');
    const foreign = {
      apiVersion: 'split.smi-spec.io/v1alpha2', kind: 'TrafficSplit',
      metadata: { name: 'app', namespace: 'default', labels: { [managedByLabel]: 'flagger' } },
      spec: { service: 'app', backends: [{ service: 'app-primary', weight: 50 }, { service: 'app-canary', weight: 50 }] },
    };
    await splits(kubeConfig, 'v1alpha2').create(foreign);
    assert.deepEqual(await router.read(ref), { kind: 'foreign', owner: 'flagger' });
    await assert.rejects(router.write(ref, 0), { code: 'FLEDGE_ROUTE_FOREIGN', message: /managed by flagger/ });
    await router.remove(ref);
    assert.deepEqual(weights(await splits(kubeConfig, 'v1alpha2').get()), { 'app-primary': 50, 'app-canary': 50 }, 'left untouched');
  });

  void it('removes its own split and treats a missing one as removed', async (t) => {
    const { router } = await cluster(t, 'smi-v1alpha2');
    await router.write(ref, 5);
    await router.remove(ref);
    assert.deepEqual(await router.read(ref), { kind: 'missing' });
    await router.remove(ref);
  });

  void it('reports a conflicting concurrent write as a conflict, and API outages as unavailable', async (t) => {
    const { emulator, router } = await cluster(t, 'smi-v1alpha2');
    await router.write(ref, 5);
    emulator.faults.failNext({ verb: 'update', resource: 'trafficsplits' }, 1, 409);
    await assert.rejects(router.write(ref, 10), { code: 'FLEDGE_API_CONFLICT' });
    emulator.faults.failNext({ verb: 'get', resource: 'trafficsplits' }, 1, 500);
    await assert.rejects(router.read(ref), { code: 'FLEDGE_API_UNAVAILABLE' });
    await router.write(ref, 10);
    assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 10, primaryWeight: 90, exact: true });
  });

  void it('refuses weights outside 0..100 and unknown router kinds', async (t) => {
    const { router, kubeConfig } = await cluster(t, 'smi-v1alpha2');
    await assert.rejects(router.write(ref, 101), RangeError);
    await assert.rejects(router.write(ref, 2.5), RangeError);
    assert.throws(() => createRouter('istio' as RouterKind, kubeConfig), { code: 'FLEDGE_CONFIG_INVALID', message: /smi-v1alpha2, .*gateway-api/ });
  });
});

describe('a split edited by hand beyond its schema', () => {
  const ref: RouteRef = { namespace: 'default', name: 'app', primaryService: 'app-primary', canaryService: 'app-canary' };
  it('reads a split whose backends were removed as carrying no weight, instead of throwing', () => {
    const split = { apiVersion: 'split.smi-spec.io/v1alpha2', kind: 'TrafficSplit' as const, metadata: { name: 'app' }, spec: { service: 'app' } };
    assert.deepEqual(readWeights(split as never, ref), { canaryWeight: 0, primaryWeight: 0 });
    assert.deepEqual(readWeights({ ...split, spec: undefined } as never, ref), { canaryWeight: 0, primaryWeight: 0 });
  });
});
