import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject, V1Service } from '@kubernetes/client-node';
import type { ClusterObjects } from '../../src/ports.ts';
import { readThroughCaches, type CacheLookup } from '../../src/controller/cached-reads.ts';
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

