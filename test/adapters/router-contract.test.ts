// One contract for every TrafficRouter, run through client-node against the emulator serving the
// real CRDs (and against the in-memory routers reconcile tests use): the SMI TrafficSplit router and the Gateway API HTTPRoute router must both create,
// read back, split by integer weights summing to 100, own what they create, refuse what is not
// theirs, repair a hand edit, write nothing when nothing changed — and say whether an
// implementation accepted the route (Gateway API) or that there is nothing to wait for (SMI).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { createRouter } from '../../src/adapters/router-factory.ts';
import type { RouterKind } from '../../src/config/knobs.ts';
import type { RouteRef, RouteState, TrafficRouter } from '../../src/ports.ts';
import { createMemoryCluster } from '../../src/adapters/memory/cluster.ts';
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

interface Backend {
  readonly router: TrafficRouter;
  readonly objects: {
    get(): Promise<Obj>;
    create(body: Obj): Promise<unknown>;
    replace(body: Obj): Promise<unknown>;
    /** As an implementation would: through the status subresource. */
    writeStatus(status: Obj): Promise<void>;
  };
  readonly failNext: (verb: 'get' | 'update', resource: string, status: 409 | 500) => void;
  /** A Canary to own the route: its uid. */
  canaryUid(): Promise<string>;
}

/** Over HTTP: client-node against the emulator serving the real CRDs. */
async function emulated(t: { after(fn: () => unknown): void }, kind: Kind): Promise<Backend> {
  const { emulator, kubeConfig } = await withEmulator(t);
  await installCrds(kubeConfig, kind.crd);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const at = { ...kind.gvp, namespace: 'default' };
  const get = async (): Promise<Obj> => (await api.getNamespacedCustomObject({ ...at, name: 'app' })) as Obj;
  return {
    router: createRouter(kind.router, kubeConfig),
    objects: {
      get,
      create: (body) => api.createNamespacedCustomObject({ ...at, body }),
      replace: (body) => api.replaceNamespacedCustomObject({ ...at, name: 'app', body }),
      writeStatus: async (status) => {
        await api.replaceNamespacedCustomObjectStatus({ ...at, name: 'app', body: { ...(await get()), status } });
      },
    },
    failNext: (verb, resource, status) => emulator.faults.failNext({ verb, resource }, 1, status),
    canaryUid: () => canaryOwnerUid(kubeConfig),
  };
}

/** In memory: the router reconcile tests use (memoryHarness), held to the same contract. */
async function inMemory(_t: unknown, kind: Kind): Promise<Backend> {
  const cluster = createMemoryCluster({ clock: { now: () => Date.now() } });
  const plural = kind.gvp.plural as 'trafficsplits' | 'httproutes';
  const call = (verb: 'create' | 'update') => ({ verb, resource: plural, namespace: 'default', name: 'app' });
  const get = async (): Promise<Obj> => {
    const found = cluster.store.peek(plural, 'default', 'app');
    if (found === null) throw new Error('not found');
    return found as Obj;
  };
  return {
    router: cluster.routerFor(kind.router),
    objects: {
      get,
      create: async (body) => cluster.store.create(plural, call('create'), { ...body } as never),
      replace: async (body) => cluster.store.update(plural, call('update'), { ...body } as never),
      writeStatus: async (status) => cluster.store.writeStatus(plural, 'default', 'app', status),
    },
    failNext: (verb, resource, status) => cluster.log.failNext({ verb, resource }, 1, status),
    canaryUid: async () => {
      const canary = await cluster.admin.createCanary({ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'app', namespace: 'default' }, spec: {} } as never);
      return canary.metadata.uid ?? '';
    },
  };
}

/** The routed state without the acceptance (compared on its own below). */
function routed(state: RouteState): Obj {
  if (state.kind !== 'routed') return state;
  const { acceptance: _acceptance, ...rest } = state;
  return rest;
}

async function canaryOwnerUid(kubeConfig: KubeConfig): Promise<string> {
  await installCrds(kubeConfig, crdFiles.canary);
  const canary = (await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default',
    body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'app', namespace: 'default' }, spec: {} },
  })) as { metadata: { uid: string } };
  return canary.metadata.uid;
}

const backends = { 'the API (emulator)': emulated, 'memory': inMemory } as const;

for (const [where, cluster] of Object.entries(backends)) {
  for (const kind of [smi, gateway]) {
    void describe(`TrafficRouter contract: ${kind.router} over ${where}`, () => {
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
        const backend = await cluster(t, kind);
        const { objects, router } = backend;
        const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'app', uid: await backend.canaryUid() };
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
        const { failNext, router } = await cluster(t, kind);
        await router.write(ref, 5);
        failNext('update', kind.gvp.plural, 409);
        await assert.rejects(router.write(ref, 10), { code: 'FLEDGE_API_CONFLICT' });
        failNext('get', kind.gvp.plural, 500);
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
}
