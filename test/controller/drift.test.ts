// Someone edits or deletes what Fledge keeps (the TrafficSplit, app-primary, the Services): the
// next reconciles put it back, say so in an Event, and never send traffic to an unready backend.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryHarness, type MemoryHarness as Harness } from '../support/release-harness.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,30,50', 'fledge.dev/progress-deadline': '3m' };

type Backends = Array<{ service: string; weight: number }>;

async function backends(h: Harness): Promise<Backends> {
  const split = h.cluster.store.peek('trafficsplits', 'default', 'app') as { spec: { backends: Backends } } | null;
  assert.ok(split, 'the TrafficSplit exists');
  return split.spec.backends.map((b) => ({ service: b.service, weight: Number(b.weight) }));
}

/** A person's `kubectl edit trafficsplit app`: the backends replaced as given. */
async function editSplit(h: Harness, edited: Backends): Promise<void> {
  await h.edit('trafficsplits', 'app', (split) => {
    split.spec.backends = edited;
  });
}

async function driftEvents(h: Harness): Promise<string[]> {
  const events = await h.events();
  return events.filter((e) => e.reason === 'DriftRepaired').map((e) => e.message ?? '');
}

/** A few reconciles, a little time apart, as resync would run them. */
async function reconcileAFewTimes(h: Harness, times = 3): Promise<Record<string, any>> {
  for (let i = 0; i < times; i += 1) {
    await h.step('app');
    await new Promise((resolve) => setTimeout(resolve, 5));
    h.advance(1000);
  }
  return (await h.canary('app')).status;
}

async function ready(t: Parameters<typeof memoryHarness>[0]): Promise<Harness> {
  const h = await memoryHarness(t);
  await h.deploy('app', { annotations: fast });
  await h.runUntil('app', (s) => s.phase === 'Ready');
  return h;
}

/** A run in flight at its first step (10% to the canary). */
async function atFirstStep(t: Parameters<typeof memoryHarness>[0]): Promise<Harness> {
  const h = await ready(t);
  await h.setImage('app', 'app:2.0');
  await h.runUntil('app', (s) => s.phase === 'Progressing' && s.step === 1);
  return h;
}

/** Repairs the controller does not make yet (see the reply to issue 9): run, reported, not failing the suite. */

const idleSplit: Backends = [{ service: 'app-primary', weight: 100 }, { service: 'app-canary', weight: 0 }];

describe('repairing drift outside a release', () => {
  it('a split edited by hand to 70/30 goes back to 100% primary, with an Event', async (t) => {
    const h = await ready(t);
    await editSplit(h, [{ service: 'app-primary', weight: 70 }, { service: 'app-canary', weight: 30 }]);
    const status = await reconcileAFewTimes(h);
    assert.deepEqual(await backends(h), idleSplit);
    assert.equal(status.phase, 'Ready');
    assert.ok((await driftEvents(h)).some((m) => /30% to the canary/.test(m)), 'a DriftRepaired Event names the edit');
    assert.deepEqual(h.violations, []);
  });

  it('a split missing its canary backend gets it back', async (t) => {
    const h = await ready(t);
    await editSplit(h, [{ service: 'app-primary', weight: 100 }]);
    await reconcileAFewTimes(h);
    assert.deepEqual(await backends(h), idleSplit);
    assert.ok((await driftEvents(h)).length > 0, 'a DriftRepaired Event');
    assert.deepEqual(h.violations, []);
  });

  it('weights that do not sum to 100 are restored', async (t) => {
    const h = await ready(t);
    await editSplit(h, [{ service: 'app-primary', weight: 90 }, { service: 'app-canary', weight: 0 }]);
    await reconcileAFewTimes(h);
    assert.deepEqual(await backends(h), idleSplit);
    assert.ok((await driftEvents(h)).length > 0, 'a DriftRepaired Event');
    assert.deepEqual(h.violations, []);
  });

  it('a deleted split is recreated sending everything to the primary', async (t) => {
    const h = await ready(t);
    await h.remove('trafficsplits', 'app');
    await reconcileAFewTimes(h);
    assert.deepEqual(await backends(h), idleSplit);
    assert.deepEqual(h.violations, []);
  });

  it('a deleted app-primary is recreated at the promoted revision and size while traffic stays on it, with an Event', async (t) => {
    const h = await ready(t);
    await h.remove('deployments', 'app-primary');
    const status = await reconcileAFewTimes(h);
    const primary = await h.deployment('app-primary');
    assert.equal(primary.spec?.template.spec?.containers[0]?.image, 'app:1.0');
    assert.equal(primary.spec?.replicas, 2);
    assert.equal(status.phase, 'Ready');
    assert.deepEqual(await backends(h), idleSplit);
    assert.equal((await h.deployment('app')).spec?.replicas, 0, 'the canary is not scaled up to stand in');
    assert.ok((await driftEvents(h)).some((m) => /app-primary/.test(m)), 'a DriftRepaired Event names app-primary');
    assert.deepEqual(h.violations, []);
  });

  for (const service of ['app', 'app-primary', 'app-canary']) {
    it(`a deleted Service ${service} is recreated, with an Event`, async (t) => {
      const h = await ready(t);
      await h.remove('services', service);
      await reconcileAFewTimes(h, 1);
      const recreated = await h.admin.getService('default', service);
      assert.equal(recreated?.spec?.selector?.['app'], service === 'app-primary' ? 'app-primary' : 'app');
      assert.ok((await driftEvents(h)).some((m) => m.includes(`Service ${service}`)), `a DriftRepaired Event names Service ${service}`);
      assert.deepEqual(h.violations, []);
    });
  }
});

describe('repairing drift during a release', () => {
  it('a split edited to 70/30 mid-step goes back to the step weight, with an Event, and the release still promotes', async (t) => {
    const h = await atFirstStep(t);
    await editSplit(h, [{ service: 'app-primary', weight: 70 }, { service: 'app-canary', weight: 30 }]);
    await h.step('app');
    assert.deepEqual(await backends(h), [{ service: 'app-primary', weight: 90 }, { service: 'app-canary', weight: 10 }]);
    assert.ok((await driftEvents(h)).some((m) => /30% to the canary/.test(m)));
    const done = await h.runUntil('app', (s) => s.phase === 'Succeeded' || s.phase === 'Failed');
    assert.equal(done.status.phase, 'Succeeded', done.status.message);
    assert.deepEqual(h.violations, []);
  });

  it('a split missing a backend mid-step gets both back at the step weight', async (t) => {
    const h = await atFirstStep(t);
    await editSplit(h, [{ service: 'app-canary', weight: 100 }]);
    await h.step('app');
    assert.deepEqual(await backends(h), [{ service: 'app-primary', weight: 90 }, { service: 'app-canary', weight: 10 }]);
    assert.ok((await driftEvents(h)).length > 0);
    assert.deepEqual(h.violations, []);
  });

  it('a deleted app-canary Service mid-run is recreated before traffic moves on, and the release promotes', async (t) => {
    const h = await atFirstStep(t);
    await h.remove('services', 'app-canary');
    await h.step('app');
    assert.ok(await h.admin.getService('default', 'app-canary'));
    assert.ok((await driftEvents(h)).some((m) => m.includes('Service app-canary')));
    const done = await h.runUntil('app', (s) => s.phase === 'Succeeded' || s.phase === 'Failed');
    assert.equal(done.status.phase, 'Succeeded', done.status.message);
    assert.deepEqual(h.violations, []);
  });

  it('a deleted app-primary mid-run takes no traffic while it has no ready pods, stops the steps and says so', async (t) => {
    const h = await atFirstStep(t);
    await h.remove('deployments', 'app-primary');
    h.beforeStep = () => undefined; // collect reconcile errors instead of stopping at the first
    for (let i = 0; i < 10; i += 1) {
      await h.runUntil('app', () => true, 1).catch(() => undefined);
      h.advance(30_000);
    }
    const status = (await h.canary('app')).status;
    const primaryReady = await h.deployment('app-primary').then((d) => d.status?.readyReplicas ?? 0, () => 0);
    const primaryWeight = (await backends(h)).find((b) => b.service === 'app-primary')?.weight ?? 0;
    assert.ok(primaryReady > 0 || primaryWeight === 0, `the split sends ${primaryWeight}% to app-primary, which has no ready pods`);
    assert.equal(status.step, 1, `no step is taken without a primary: ${status.message}`);
    const events = await h.events();
    assert.ok(events.some((e) => e.type === 'Warning' && (e.message ?? '').includes('app-primary')), 'a Warning Event names app-primary');
    assert.deepEqual(h.violations, []);
  });

  it('a canary scaled to zero by hand mid-run is scaled back up and the release still promotes', async (t) => {
    const h = await atFirstStep(t);
    await h.admin.scaleDeployment('default', 'app', 0);
    const done = await h.runUntil('app', (s) => s.phase === 'Succeeded' || s.phase === 'Failed', 30);
    assert.equal(done.status.phase, 'Succeeded', done.status.message);
    assert.deepEqual(h.violations, []);
  });

  it('a crash between a rollback\'s scale-down and its status write still ends in that rollback, not at the progress deadline', async (t) => {
    const h = await atFirstStep(t);
    h.script = { ...h.script, canary: () => ({ failure: 0.3, slow: 0.002 }) };
    // Every status write fails until one reconcile has rolled back: its route and scale actions are done.
    for (let i = 0; i < 5 && (await h.deployment('app')).spec?.replicas !== 0; i += 1) {
      h.advance(30_000);
      h.cluster.log.failNext({ verb: 'update', resource: 'canaries/status' }, 1, 500);
      // A reconcile with nothing to write (a delivered notice alone waits for the next write) does not fail.
      await h.step('app').catch(() => undefined);
      h.cluster.log.clear();
    }
    assert.equal((await h.deployment('app')).spec?.replicas, 0, 'the rollback scaled the canary down');
    assert.equal((await h.canary('app')).status.phase, 'Progressing', 'but its status was not written');
    const done = await h.runUntil('app', (s) => s.phase === 'Succeeded' || s.phase === 'Failed', 30);
    assert.equal(done.status.phase, 'Failed');
    assert.doesNotMatch(done.status.message, /progress deadline/, done.status.message);
    assert.deepEqual(h.violations, []);
  });
});
