// A controller that falls behind looks once per interval until its work queue catches up: the
// pace follows how long keys wait for a worker, with hysteresis, and reconcile measures
// interval-long windows meanwhile (one look on the same grid, so the test stays valid).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LookPace } from '../../src/controller/look-pace.ts';
import { ControllerMetrics } from '../../src/controller/metrics.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import { WorkQueue, type ReconcileOutcome } from '../../src/controller/work-queue.ts';
import { policy } from '../support/builders.ts';
import { memoryHarness } from '../support/release-harness.ts';
import { FakeTime, settle } from './fake-time.ts';

describe('look pace', () => {
  it('coarsens looks once keys wait over a second on average, and refines them below 200 ms', () => {
    const changes: boolean[] = [];
    const pace = new LookPace({ onChange: (coarse) => changes.push(coarse) });
    for (let i = 0; i < 200; i += 1) pace.waited(50);
    assert.equal(pace.coarse, false, 'a queue that keeps up looks at every look');
    for (let i = 0; i < 200 && !pace.coarse; i += 1) pace.waited(3_000);
    assert.equal(pace.coarse, true, 'keys waiting 3 s coarsen the looks');
    for (let i = 0; i < 20; i += 1) pace.waited(600);
    assert.equal(pace.coarse, true, 'between the two limits nothing changes (no flapping)');
    for (let i = 0; i < 400 && pace.coarse; i += 1) pace.waited(0);
    assert.equal(pace.coarse, false, 'caught up: finer looks again');
    assert.deepEqual(changes, [true, false]);
  });

  it('paces a policy with finer looks to one per interval while behind, and leaves others alone', () => {
    const pace = new LookPace({ behindMs: 0 });
    const fine = policy({ intervalMs: 60_000, lookMs: 20_000 });
    assert.equal(pace.paced(fine), fine);
    pace.waited(1_000);
    assert.equal(pace.paced(fine).paceMs, 60_000);
    assert.equal(pace.paced(fine).lookMs, 20_000, 'a window is still at least a look long');
    const coarse = policy({ intervalMs: 60_000, lookMs: 60_000 });
    assert.equal(pace.paced(coarse), coarse);
  });

  it('is told how long each key waited for a worker', async () => {
    const time = new FakeTime();
    const waits: Array<[string, number]> = [];
    let release: () => void = () => undefined;
    const q = new WorkQueue({
      clock: time.clock, timers: time, concurrency: 1,
      reconcile: () => new Promise<ReconcileOutcome>((resolve) => { release = () => resolve({ requeueAfterMs: null }); }),
      onStart: (key, waited) => waits.push([key, waited]),
    });
    q.add('ns/a');
    q.add('ns/b');
    await settle();
    await time.advance(700);
    release();
    await settle();
    assert.deepEqual(waits, [['ns/a', 0], ['ns/b', 700]]);
  });

  it('shows on /metrics whether looks are coarsened and how long keys wait', async () => {
    const metrics = new ControllerMetrics();
    const pace = new LookPace();
    metrics.watchQueue({ depth: () => 42, averageWaitMs: () => pace.averageWaitMs, coarse: () => pace.coarse });
    for (let i = 0; i < 300; i += 1) pace.waited(2_000);
    const { body } = await metrics.render();
    assert.match(body, /^fledge_looks_coarse 1$/m);
    assert.match(body, /^fledge_queue_depth 42$/m);
    assert.match(body, /^fledge_queue_wait_seconds 1\.9\d*$/m);
  });
});

describe('reconcile at a coarse pace', () => {
  it('measures interval-long windows on the grid while behind, and look-long ones again after', async (t) => {
    const h = await memoryHarness(t);
    // linkerd's 10 s scrape: looks every 20 s of a 1-minute interval.
    await h.deploy('app', { annotations: { 'fledge.dev/interval': '1m', 'fledge.dev/bake': '10m', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '20m' } });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    await h.setImage('app', 'app:2.0');
    await h.runUntil('app', (s) => s.analyzedUntil !== null && s.step === 1);
    const pace = new LookPace({ behindMs: 0, caughtUpMs: -1 });
    pace.waited(5_000);
    const behind = { ...h.deps, pace };
    const windows = async (deps: typeof h.deps, count: number): Promise<Array<{ start: number; end: number }>> => {
      const from = h.measured.length;
      for (let i = 0; i < count; i += 1) {
        h.advance(20_000);
        await reconcile(deps, { namespace: 'default', name: 'app' });
      }
      return h.measured.slice(from).map((m) => ({ start: m.start, end: m.end }));
    };
    const seconds = (list: Array<{ start: number; end: number }>): string => list.map((w) => (w.end - w.start) / 1000).join(', ');
    const coarse = await windows(behind, 9);
    assert.ok(coarse.length >= 2 && coarse.length <= 4, `about one window a minute while behind (${seconds(coarse)})`);
    assert.ok(coarse.every((w) => w.end % 60_000 === 0 && w.end - w.start >= 20_000), `windows of at least a look, ending on the interval grid: ${seconds(coarse)}`);
    assert.ok(coarse.slice(1).every((w) => w.end - w.start === 60_000), `then one interval each: ${seconds(coarse)}`);
    const fine = await windows(h.deps, 6);
    // The first one catches up from the last interval-long window; then a look every 20 s.
    assert.ok(fine.length >= 5 && fine.slice(1).every((w) => w.end - w.start === 20_000), `20 s looks again once caught up: ${seconds(fine)}`);
  });
});
