import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryCluster } from '../../../src/adapters/memory/cluster.ts';
import { isFledgeError } from '../../../src/errors.ts';
import type { FledgeError } from '../../../src/errors.ts';

const clock = { now: () => Date.parse('2026-11-23T10:00:00Z') };
const service = (name: string) => ({ metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }] } });

describe('the in-memory cluster', () => {
  it('logs every write the controller makes, and none of the admin\'s, so a test can say nothing was touched', async () => {
    const cluster = createMemoryCluster({ clock });
    await cluster.admin.createService(service('seeded'));
    await cluster.objects.getService('default', 'seeded');
    assert.deepEqual(cluster.log.writes, []);
    await cluster.objects.deleteService('default', 'seeded');
    assert.deepEqual(cluster.log.writes, [{ verb: 'delete', resource: 'services', namespace: 'default', name: 'seeded' }]);
  });

  it('fails chosen calls: unreachable is retryable, an injected 404 reads as missing, and onApiError sees each failure', async () => {
    const seen: FledgeError[] = [];
    const cluster = createMemoryCluster({ clock, onApiError: (error) => seen.push(error) });
    await cluster.admin.createService(service('web'));
    cluster.log.failNext({ verb: 'create', resource: 'services' }, 1, 'unavailable');
    await assert.rejects(cluster.objects.createService(service('other')), (e: unknown) => isFledgeError(e) && e.code === 'FLEDGE_API_UNAVAILABLE' && e.retryable);
    cluster.log.failNext({ verb: 'get', name: 'web' }, 1, 404);
    assert.equal(await cluster.objects.getService('default', 'web'), null);
    assert.ok(await cluster.objects.getService('default', 'web'));
    assert.deepEqual(seen.map((e) => e.code), ['FLEDGE_API_UNAVAILABLE', 'FLEDGE_API_REJECTED']);
  });

  it('writes a Deployment\'s status after the write that changed it, never within it', async () => {
    const cluster = createMemoryCluster({ clock });
    const labels = { app: 'web' };
    const created = await cluster.objects.createDeployment({
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
    });
    assert.equal(created.status, undefined);
    assert.equal((await cluster.objects.getDeployment('default', 'web'))?.status, undefined);
    cluster.workloads.settle();
    const settled = await cluster.objects.getDeployment('default', 'web');
    assert.equal(settled?.status?.readyReplicas, 3);
    assert.equal(settled?.status?.observedGeneration, 1);
    assert.notEqual(settled?.metadata?.resourceVersion, created.metadata?.resourceVersion);
  });

  it('keeps pods of a neverReady image unready', async () => {
    const cluster = createMemoryCluster({ clock });
    cluster.workloads.neverReady({ image: 'web:broken' });
    const labels = { app: 'web' };
    await cluster.admin.createDeployment({
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:broken' }] } } },
    });
    cluster.workloads.settle();
    assert.equal((await cluster.objects.getDeployment('default', 'web'))?.status?.readyReplicas, undefined);
  });
});
