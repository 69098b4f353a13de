import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterObjects } from '../../src/ports.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import { memoryHarness, type MemoryHarness } from '../support/release-harness.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };

/** Reconciles `app` once through a cluster that counts status writes. */
async function statusWritesOf(h: MemoryHarness): Promise<number> {
  let writes = 0;
  const cluster: ClusterObjects = {
    ...h.deps.cluster,
    updateCanaryStatus: (canary) => {
      writes += 1;
      return h.deps.cluster.updateCanaryStatus(canary);
    },
  };
  await reconcile({ ...h.deps, cluster }, { namespace: 'default', name: 'app' });
  return writes;
}

/** Ready, with the bootstrap's notices delivered and gone from the outbox. */
async function settled(h: MemoryHarness): Promise<void> {
  await h.deploy('app', { annotations: fast });
  await h.runUntil('app', (s) => s.phase === 'Ready' && s.outbox.length === 0);
}

describe('writing the Canary status', () => {
  it('makes no status write when a reconcile changes nothing', async (t) => {
    const h = await memoryHarness(t);
    await settled(h);
    const before = (await h.canary('app')).metadata.resourceVersion;
    h.advance(30_000);
    assert.equal(await statusWritesOf(h), 0);
    assert.equal(await statusWritesOf(h), 0);
    assert.equal((await h.canary('app')).metadata.resourceVersion, before);
  });

  it('writes status once when a reconcile changes something, with the notice it decided', async (t) => {
    const h = await memoryHarness(t);
    await settled(h);
    await h.setImage('app', 'app:2.0');
    assert.equal(await statusWritesOf(h), 1);
    const status = (await h.canary('app')).status;
    assert.equal(status.phase, 'Progressing');
    assert.deepEqual(status.outbox.map((e: { reason: string }) => e.reason), ['NewRevision']);
  });

  it('during a run, removing a delivered notice alone writes nothing: it leaves with the next status write', async (t) => {
    const h = await memoryHarness(t);
    await settled(h);
    await h.setImage('app', 'app:2.0');
    await h.runUntil('app', (s) => s.step === 1);
    await new Promise((resolve) => setImmediate(resolve)); // the no-op notifier delivers at once
    assert.equal(await statusWritesOf(h), 0, 'no write for the delivered notices alone');
    const queued = ((await h.canary('app')).status.outbox as Array<{ key: string }>).map((e) => e.key);
    assert.ok(queued.length > 0, 'the delivered notices are still in the outbox');
    const next = (await h.runUntil('app', (s) => s.step === 2)).status;
    assert.ok(!next.outbox.some((e: { key: string }) => queued.includes(e.key)), 'gone with the next step\'s write');
  });

  it('outside a run, a delivered notice leaves the outbox at once', async (t) => {
    const h = await memoryHarness(t);
    await settled(h);
    await h.setImage('app', 'app:2.0');
    const done = (await h.runUntil('app', (s) => s.phase === 'Succeeded')).status;
    assert.ok(done.outbox.length > 0, 'the Promoted notice, just queued');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await statusWritesOf(h), 1);
    assert.deepEqual((await h.canary('app')).status.outbox, []);
  });

  it('keeps a condition\'s lastTransitionTime while its status stays the same', async (t) => {
    const h = await memoryHarness(t);
    await settled(h);
    const ready = (s: Record<string, any>) => s.conditions.find((c: { type: string }) => c.type === 'Ready');
    const first = ready((await h.canary('app')).status);
    await h.setImage('app', 'app:2.0');
    h.advance(60_000);
    await h.step('app');
    const later = ready((await h.canary('app')).status);
    assert.notEqual(later.message, first.message);
    assert.equal(later.lastTransitionTime, first.lastTransitionTime);
  });
});
