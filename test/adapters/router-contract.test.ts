// One contract for every TrafficRouter, run through client-node against the emulator serving the
// real CRDs: the SMI TrafficSplit router and the Gateway API HTTPRoute router must both create,
// read back, split by integer weights summing to 100, own what they create, refuse what is not
// theirs, repair a hand edit, write nothing when nothing changed — and say whether an
// implementation accepted the route (Gateway API) or that there is nothing to wait for (SMI).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { createRouter } from '../../src/adapters/router-factory.ts';
import type { RouterKind } from '../../src/config/knobs.ts';
import type { RouteRef, RouteState } from '../../src/ports.ts';
import { parentsStatus } from '../../src/sandbox/route-status.ts';
import { withEmulator } from '../support/emulator.ts';
import { crdFiles, installCrds } from '../fixtures/crds/install.ts';

type Obj = Record<string, any>;

/** What the suite needs to know of one kind of route object. */
interface Kind {
  readonly router: RouterKind;
  readonly crd: string;
  readonly gvp: { group: string; version: string; plural: string };
  /** service → weight, as the object says. */
  weights(object: Obj): Record<string, number>;
  /** A route of that name someone else made (50/50). */
  foreign(): Obj;
  /** A person's edit sending 70% to the canary. */
  handEdit(object: Obj): void;
}

const smi: Kind = {
  router: 'smi-v1alpha2',
  crd: crdFiles.linkerdSmi,
  gvp: { group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits' },
  weights: (split) => Object.fromEntries((split.spec.backends as Obj[]).map((b) => [b.service, Number(b.weight)])),
  foreign: () => ({
    apiVersion: 'split.smi-spec.io/v1alpha2', kind: 'TrafficSplit',
    metadata: { name: 'app', namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'flagger' } },
    spec: { service: 'app', backends: [{ service: 'app-primary', weight: 50 }, { service: 'app-canary', weight: 50 }] },
  }),
  handEdit: (split) => {
    split.spec.backends = [{ service: 'app-primary', weight: 30 }, { service: 'app-canary', weight: 70 }];
  },
};

const backendRefs = (primary: number, canary: number): Obj[] => [
  { group: '', kind: 'Service', name: 'app-primary', port: 80, weight: primary },
  { group: '', kind: 'Service', name: 'app-canary', port: 80, weight: canary },
];

const gateway: Kind = {
  router: 'gateway-api',
  crd: crdFiles.httpRoute,
  gvp: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
  weights: (route) => Object.fromEntries((route.spec.rules as Obj[]).flatMap((r) => r.backendRefs as Obj[]).map((b) => [b.name, b.weight])),
  foreign: () => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name: 'app', namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'flagger' } },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'app', port: 80 }], rules: [{ backendRefs: backendRefs(50, 50) }] },
  }),
  handEdit: (route) => {
    route.spec.rules = [{ backendRefs: backendRefs(30, 70) }];
  },
};

// No owner here: the emulator, like the real garbage collector, deletes objects whose owner is gone.
const ref: RouteRef = {
  namespace: 'default', name: 'app', primaryService: 'app-primary', canaryService: 'app-canary',
  shape: { ports: [80], gateway: null, hostnames: [], match: [] },
};

async function cluster(t: { after(fn: () => unknown): void }, kind: Kind) {
  const { emulator, kubeConfig } = await withEmulator(t);
  await installCrds(kubeConfig, kind.crd);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const at = { ...kind.gvp, namespace: 'default' };
  const objects = {
    get: async (): Promise<Obj> => (await api.getNamespacedCustomObject({ ...at, name: 'app' })) as Obj,
    create: (body: Obj) => api.createNamespacedCustomObject({ ...at, body }),
    replace: (body: Obj) => api.replaceNamespacedCustomObject({ ...at, name: 'app', body }),
    /** As an implementation would: through the status subresource. */
    writeStatus: async (status: Obj) => {
      const current = await objects.get();
      await api.replaceNamespacedCustomObjectStatus({ ...at, name: 'app', body: { ...current, status } });
    },
  };
  return { emulator, kubeConfig, objects, router: createRouter(kind.router, kubeConfig) };
}

/** The routed state without the acceptance (compared on its own below). */
function routed(state: RouteState): Obj {
  if (state.kind !== 'routed') return state;
  const { acceptance: _acceptance, ...rest } = state;
  return rest;
}

async function canaryOwner(kubeConfig: KubeConfig): Promise<NonNullable<RouteRef['owner']>> {
  await installCrds(kubeConfig, crdFiles.canary);
  const canary = (await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default',
    body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'app', namespace: 'default' }, spec: {} },
  })) as { metadata: { uid: string } };
  return { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'app', uid: canary.metadata.uid };
}

for (const kind of [smi, gateway]) {
  void describe(`TrafficRouter contract: ${kind.router}`, () => {
    void it('creates the route, reads it back, and splits by integer weights summing to 100', async (t) => {
      const { objects, router } = await cluster(t, kind);
      assert.deepEqual(await router.read(ref), { kind: 'missing' });
      await router.write(ref, 25);
      assert.deepEqual(kind.weights(await objects.get()), { 'app-primary': 75, 'app-canary': 25 });
      assert.deepEqual(routed(await router.read(ref)), { kind: 'routed', canaryWeight: 25, primaryWeight: 75, exact: true });
      for (const weight of [0, 100, 10]) {
        await router.write(ref, weight);
        assert.deepEqual(kind.weights(await objects.get()), { 'app-primary': 100 - weight, 'app-canary': weight });
        assert.deepEqual(routed(await router.read(ref)), { kind: 'routed', canaryWeight: weight, primaryWeight: 100 - weight, exact: true });
      }
    });

    void it('labels what it creates as Fledge\'s and makes the Canary its controlling owner', async (t) => {
      const { kubeConfig, objects, router } = await cluster(t, kind);
      const owner = await canaryOwner(kubeConfig);
      await router.write({ ...ref, owner }, 0);
      const object = await objects.get();
      assert.equal(object.metadata.labels['app.kubernetes.io/managed-by'], 'fledge');
      assert.deepEqual((object.metadata.ownerReferences as Obj[]).map((o) => [o.kind, o.uid, o.controller]), [['Canary', owner.uid, true]]);
      // A copied label alone does not make a route Fledge's when the Canary is known.
      assert.deepEqual(await router.read({ ...ref, owner: { ...owner, uid: 'someone-else' } }), { kind: 'foreign', owner: 'Canary/app' });
    });

    void it('never takes over a route of that name that is not Fledge\'s (FLEDGE_ROUTE_FOREIGN), nor removes it', async (t) => {
      const { objects, router } = await cluster(t, kind);
      await objects.create(kind.foreign());
      assert.deepEqual(await router.read(ref), { kind: 'foreign', owner: 'flagger' });
      await assert.rejects(router.write(ref, 0), { code: 'FLEDGE_ROUTE_FOREIGN', message: /app exists and is managed by flagger, not Fledge/ });
      await router.remove(ref);
      assert.deepEqual(kind.weights(await objects.get()), { 'app-primary': 50, 'app-canary': 50 }, 'left untouched');
    });

    void it('reads a hand edit as drift and the next write repairs it', async (t) => {
      const { objects, router } = await cluster(t, kind);
      await router.write(ref, 10);
      const edited = await objects.get();
      kind.handEdit(edited);
      await objects.replace(edited);
      const drifted = await router.read(ref);
      assert.ok(drifted.kind === 'routed' && (drifted.canaryWeight === 70 || !drifted.exact), JSON.stringify(drifted));
      await router.write(ref, 10);
      assert.deepEqual(kind.weights(await objects.get()), { 'app-primary': 90, 'app-canary': 10 });
      assert.deepEqual(routed(await router.read(ref)), { kind: 'routed', canaryWeight: 10, primaryWeight: 90, exact: true });
    });

    void it('writes nothing when the route already says the weight', async (t) => {
      const { objects, router } = await cluster(t, kind);
      await router.write(ref, 10);
      const before = (await objects.get()).metadata.resourceVersion;
      await router.write(ref, 10);
      assert.equal((await objects.get()).metadata.resourceVersion, before);
    });

    void it('removes its own route and treats a missing one as removed', async (t) => {
      const { router } = await cluster(t, kind);
      await router.write(ref, 5);
      await router.remove(ref);
      assert.deepEqual(await router.read(ref), { kind: 'missing' });
      await router.remove(ref);
    });

    void it('reports a conflicting write as a conflict and an outage as unavailable', async (t) => {
      const { emulator, router } = await cluster(t, kind);
      await router.write(ref, 5);
      emulator.faults.failNext({ verb: 'update', resource: kind.gvp.plural }, 1, 409);
      await assert.rejects(router.write(ref, 10), { code: 'FLEDGE_API_CONFLICT' });
      emulator.faults.failNext({ verb: 'get', resource: kind.gvp.plural }, 1, 500);
      await assert.rejects(router.read(ref), { code: 'FLEDGE_API_UNAVAILABLE' });
      await assert.rejects(router.write(ref, 101), RangeError);
    });

    void it(kind.router === 'gateway-api'
      ? 'is not accepted until a parent reports Accepted and ResolvedRefs for the current generation'
      : 'has no acceptance to wait for', async (t) => {
      const { objects, router } = await cluster(t, kind);
      await router.write(ref, 10);
      const state = await router.read(ref);
      assert.equal(state.kind, 'routed');
      if (state.kind !== 'routed') return;
      if (kind.router !== 'gateway-api') {
        assert.equal(state.acceptance, undefined);
        return;
      }
      assert.equal(state.acceptance?.accepted, false);
      assert.match(state.acceptance?.message ?? '', /HTTPRoute app: no implementation has reported on it for Service app:80/);
      await objects.writeStatus(parentsStatus(await objects.get(), { accepted: false, now: Date.now(), message: 'backend app-canary has no endpoints' }));
      const refused = await router.read(ref);
      assert.match(refused.kind === 'routed' ? refused.acceptance?.message ?? '' : '', /Service app:80 \(sandbox\.fledge\.dev\/mesh\) reports Accepted=False \(NotAllowedByListeners\): backend app-canary has no endpoints/);
      await objects.writeStatus(parentsStatus(await objects.get(), { accepted: true, now: Date.now() }));
      const accepted = await router.read(ref);
      assert.deepEqual(accepted.kind === 'routed' ? accepted.acceptance?.accepted : null, true);
      // A new weight is a new generation: accepted again only once the implementation has read it.
      await router.write(ref, 50);
      const stale = await router.read(ref);
      assert.match(stale.kind === 'routed' ? stale.acceptance?.message ?? '' : '', /has not judged generation 2 yet \(its Accepted is for generation 1\)/);
    });
  });
}
