import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi, type KubernetesObject, type V1Service } from '@kubernetes/client-node';
import type { ClusterObjects, RouteRef } from '../../src/ports.ts';
import { createRouter } from '../../src/adapters/router-factory.ts';
import { readThroughCaches, routeReads, type CacheLookup } from '../../src/controller/cached-reads.ts';
import { Echoes } from '../../src/controller/echoes.ts';
import { crdFiles, installCrds } from '../fixtures/crds/install.ts';
import { withEmulator } from '../support/emulator.ts';
import { FledgeError } from '../../src/errors.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full garbage collection, for tests of what stays reachable. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function service(name: string, resourceVersion: string, selector: Record<string, string> = { app: name }): V1Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', resourceVersion }, spec: { selector } };
}

/** An API whose Services live in `stored`, counting reads; and a cache the test moves by hand. */
function world(): { api: ClusterObjects; stored: Map<string, V1Service>; apiReads: () => number; cache: CacheLookup & { objects: Map<string, KubernetesObject>; synced: boolean } } {
  const stored = new Map<string, V1Service>();
  let reads = 0;
  let version = 100;
  const api = {
    getService: async (_namespace: string, name: string) => {
      reads += 1;
      return stored.get(name) ?? null;
    },
    replaceService: async (body: V1Service) => {
      const name = body.metadata?.name ?? '';
      if (body.metadata?.resourceVersion !== stored.get(name)?.metadata?.resourceVersion) throw new FledgeError('FLEDGE_API_CONFLICT', 'stale');
      const next = { ...body, metadata: { ...body.metadata, resourceVersion: String((version += 1)) } };
      stored.set(name, next);
      return next;
    },
    deleteService: async (_namespace: string, name: string) => {
      stored.delete(name);
    },
  } as unknown as ClusterObjects;
  const objects = new Map<string, KubernetesObject>();
  const cache = { objects, synced: true, get: (name: string) => objects.get(name) };
  return { api, stored, apiReads: () => reads, cache };
}

describe('reads from watch caches', () => {
  it('answers from the cache once it has listed, without asking the API', async () => {
    const w = world();
    w.cache.objects.set('app', service('app', '5'));
    const cluster = readThroughCaches(w.api, { services: w.cache });
    assert.equal((await cluster.getService('default', 'app'))?.metadata?.resourceVersion, '5');
    assert.equal(await cluster.getService('default', 'missing'), null);
    assert.equal(w.apiReads(), 0);
  });

  it('lets go of a written object once the cache shows its version, though its key is never read again', async () => {
    const w = world();
    const cluster = readThroughCaches(w.api, { services: w.cache });
    for (const name of ['app', 'a', 'b', 'c', 'd', 'e']) w.stored.set(name, service(name, '1'));
    let written: V1Service | null = await cluster.replaceService(service('app', '1', { app: 'app-primary' }));
    const held = new WeakRef(written);
    w.cache.objects.set('app', { ...written });
    w.stored.set('app', { ...written });
    written = null;
    for (const name of ['a', 'b', 'c', 'd', 'e']) await cluster.replaceService(service(name, '1'));
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    assert.equal(held.deref(), undefined, 'the overlay still holds the written Service beside the cache copy');
  });

  it('asks the API while the cache has not listed yet', async () => {
    const w = world();
    w.cache.synced = false;
    w.stored.set('app', service('app', '7'));
    const cluster = readThroughCaches(w.api, { services: w.cache });
    assert.equal((await cluster.getService('default', 'app'))?.metadata?.resourceVersion, '7');
    assert.equal(w.apiReads(), 1);
  });

  it('reads its own write until the cache shows that version, then the cache again', async () => {
    const w = world();
    const before = service('app', '100');
    w.stored.set('app', before);
    w.cache.objects.set('app', before);
    const cluster = readThroughCaches(w.api, { services: w.cache });
    const written = await cluster.replaceService(service('app', '100', { app: 'app-primary' }));
    assert.deepEqual((await cluster.getService('default', 'app'))?.spec?.selector, { app: 'app-primary' }, 'not the stale cached selector');
    w.cache.objects.set('app', { ...written, metadata: { ...written.metadata, resourceVersion: '150' } });
    assert.equal((await cluster.getService('default', 'app'))?.metadata?.resourceVersion, '150', 'the cache caught up and answers again');
  });

  it('after a write refused as stale, asks the API once instead of the lagging cache', async () => {
    const w = world();
    w.stored.set('app', service('app', '120'));
    w.cache.objects.set('app', service('app', '100'));
    const cluster = readThroughCaches(w.api, { services: w.cache });
    await assert.rejects(cluster.replaceService(service('app', '100')), { code: 'FLEDGE_API_CONFLICT' });
    assert.equal((await cluster.getService('default', 'app'))?.metadata?.resourceVersion, '120');
    assert.equal(w.apiReads(), 1);
  });

  it('reads a deleted object as missing until the cache drops it', async () => {
    const w = world();
    w.stored.set('app', service('app', '100'));
    w.cache.objects.set('app', service('app', '100'));
    const cluster = readThroughCaches(w.api, { services: w.cache });
    await cluster.deleteService('default', 'app');
    assert.equal(await cluster.getService('default', 'app'), null);
  });
});

describe('the router reads TrafficSplits from the watch cache', () => {
  const ref: RouteRef = { namespace: 'default', name: 'app', primaryService: 'app-primary', canaryService: 'app-canary' };
  const splitApi = { group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: 'default', name: 'app' };
  type Split = KubernetesObject & { spec: { backends: Array<{ service: string; weight: number }> } };

  async function setUp(t: TestContext) {
    const { kubeConfig } = await withEmulator(t);
    await installCrds(kubeConfig, crdFiles.linkerdSmi);
    const objects = new Map<string, KubernetesObject>();
    const cache = { synced: true, get: (name: string) => objects.get(name) };
    const router = createRouter('smi-v1alpha2', kubeConfig, { reads: routeReads(cache) });
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    /** Someone else's edit, straight to the API (the cache has not seen it yet). */
    const editTo = async (canary: number): Promise<Split> => {
      const split = (await custom.getNamespacedCustomObject(splitApi)) as Split;
      split.spec.backends = [{ service: 'app-primary', weight: 100 - canary }, { service: 'app-canary', weight: canary }];
      return (await custom.replaceNamespacedCustomObject({ ...splitApi, body: split })) as Split;
    };
    return { objects, router, editTo, custom };
  }

  it('sees its own write before the watch delivers it, and no API read answers in place of the cache', async (t) => {
    const { objects, router, editTo, custom } = await setUp(t);
    await router.write(ref, 10);
    objects.set('app', (await custom.getNamespacedCustomObject(splitApi)) as KubernetesObject); // the watch delivers the create
    await router.write(ref, 20);
    assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 20, primaryWeight: 80, exact: true }, 'its own write, the cache one version behind');
    const edited = await editTo(30);
    assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 20, primaryWeight: 80, exact: true }, 'from cache and overlay, not the API');
    assert.equal(edited.spec.backends[1]?.weight, 30);
    objects.set('app', edited);
    assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 30, primaryWeight: 70, exact: true }, 'the watch delivered the edit');
  });

  it('reads a split deleted by someone as missing once the watch drops it, though its own write is still overlaid', async (t) => {
    const { objects, router, custom } = await setUp(t);
    await router.write(ref, 10);
    objects.set('app', (await custom.getNamespacedCustomObject(splitApi)) as KubernetesObject); // the watch delivers the write
    await custom.deleteNamespacedCustomObject(splitApi); // someone deletes it; the watch drops it
    objects.delete('app');
    assert.deepEqual(await router.read(ref), { kind: 'missing' });
  });

  it('after a write refused as stale, the next write reads the API and goes through', async (t) => {
    const { objects, router, editTo, custom } = await setUp(t);
    await router.write(ref, 10);
    objects.set('app', (await custom.getNamespacedCustomObject(splitApi)) as KubernetesObject);
    await editTo(30);
    await assert.rejects(router.write(ref, 50), { code: 'FLEDGE_API_CONFLICT' });
    await router.write(ref, 50);
    assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 50, primaryWeight: 50, exact: true });
  });
});

describe('the router tells its own split writes from other people\'s', () => {
  const split = (resourceVersion: string): KubernetesObject => ({ metadata: { namespace: 'default', name: 'app', resourceVersion } });
  const synced: CacheLookup = { synced: true, get: () => undefined };

  it('reads the echo of its own write as no outside change, and an edit or delete after it as one', () => {
    const reads = routeReads(synced);
    reads.wroteToApi?.('default', 'app', split('5'));
    assert.equal(reads.outsideChange(split('5'), 'update'), false, 'the echo of its write');
    assert.equal(reads.outsideChange(split('6'), 'update'), true, 'someone edited it');
    assert.equal(reads.outsideChange(split('6'), 'delete'), true, 'someone deleted it');
  });

  it('reads its own delete as no outside change, and never a resync', () => {
    const reads = routeReads(synced);
    reads.wroteToApi?.('default', 'app', null);
    assert.equal(reads.outsideChange(split('7'), 'delete'), false);
    assert.equal(reads.outsideChange(split('8'), 'resync'), false);
    assert.equal(reads.outsideChange(split('8'), 'add'), true, 'someone created it again');
  });
});


describe('a scale read back from the cache', () => {
  it('reads the scaled replicas at the version the /scale answer gave, without asking the API, until the cache shows it', async () => {
    const objects = new Map<string, KubernetesObject>();
    const deployments: CacheLookup = { synced: true, get: (name) => objects.get(name) };
    const at = (resourceVersion: string, replicas: number, ready: number): KubernetesObject =>
      ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'default', resourceVersion }, spec: { replicas, selector: {}, template: {} }, status: { readyReplicas: ready } }) as KubernetesObject;
    objects.set('app', at('5', 0, 0));
    let apiReads = 0;
    const api = {
      getDeployment: async () => {
        apiReads += 1;
        return null;
      },
      scaleDeployment: async () => '6',
    } as unknown as ClusterObjects;
    const cluster = readThroughCaches(api, { deployments });
    assert.equal(await cluster.scaleDeployment('default', 'app', 3), '6');
    const read = await cluster.getDeployment('default', 'app');
    assert.equal(read?.spec?.replicas, 3, 'the scale is seen at once');
    assert.equal(read?.metadata?.resourceVersion, '6');
    assert.equal(apiReads, 0, 'without a read from the API');
    objects.set('app', at('7', 3, 3));
    assert.equal((await cluster.getDeployment('default', 'app'))?.status?.readyReplicas, 3, 'the cache answers again once it caught up');
    assert.equal(apiReads, 0);
  });
});

describe('the echo of a Deployment write', () => {
  const deployment = (resourceVersion: string): KubernetesObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'default', resourceVersion } });

  it('is known by the version a scale or replace returned, and not before its answer: the Deployment controller writes status meanwhile', async () => {
    const echoes = new Echoes();
    let answer: (version: string) => void = () => undefined;
    const api = {
      scaleDeployment: () => new Promise<string>((resolve) => { answer = resolve; }),
      replaceDeployment: async (body: KubernetesObject) => ({ ...body, metadata: { ...body.metadata, resourceVersion: '9' } }),
    } as unknown as ClusterObjects;
    const cluster = readThroughCaches(api, { deployments: { synced: true, get: () => undefined } }, Date.now, echoes);
    const scaling = cluster.scaleDeployment('default', 'app', 1);
    assert.equal(echoes.isEcho('default/app', deployment('5'), 'update'), false, 'a status write while the scale is under way wakes the app');
    answer('6');
    await scaling;
    assert.equal(echoes.isEcho('default/app', deployment('6'), 'update'), true, 'the scale\'s echo');
    assert.equal(echoes.isEcho('default/app', deployment('7'), 'update'), false, 'the Deployment controller\'s status write after it is news');
    await cluster.replaceDeployment(deployment('7') as never);
    assert.equal(echoes.isEcho('default/app', deployment('9'), 'update'), true, 'the echo of the replace');
    assert.equal(echoes.isEcho('default/app', deployment('9'), 'update'), false, 'used up: the same version again is not expected');
    assert.equal(echoes.isEcho('default/other', deployment('9'), 'update'), false, 'another object');
  });

  it('is not expected after a write that failed', async () => {
    const echoes = new Echoes();
    const api = { scaleDeployment: async () => { throw new FledgeError('FLEDGE_API_UNAVAILABLE', 'down'); } } as unknown as ClusterObjects;
    const cluster = readThroughCaches(api, { deployments: { synced: true, get: () => undefined } }, Date.now, echoes);
    await assert.rejects(cluster.scaleDeployment('default', 'app', 1));
    assert.equal(echoes.isEcho('default/app', deployment('6'), 'update'), false);
  });
});
