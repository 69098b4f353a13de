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
  const fine = policy({ intervalMs: 10_000, lookMs: 2_000 });

  /** A pace on a clock the test moves, whose latest reconcile each second is done `lateMs` after its key became ready, for `seconds` seconds. */
  function paceOver(options: ConstructorParameters<typeof LookPace>[0] = {}): { pace: LookPace; done: (lateMs: number, seconds: number) => void } {
    let now = 1_000_000;
    const pace = new LookPace({ ...options, clock: { now: () => now } });
    const done = (lateMs: number, seconds: number): void => {
      for (let i = 0; i < seconds; i += 1) {
        pace.finished(lateMs / 2);
        pace.finished(lateMs);
        now += 1_000;
      }
    };
    return { pace, done };
  }

  it('coarsens looks whose work keeps being done most of a look late, and refines them once it is done promptly', () => {
    const changes: Array<{ lookMs: number; coarse: boolean }> = [];
    const { pace, done } = paceOver({ onChange: ({ lookMs, coarse }) => changes.push({ lookMs, coarse }) });
    done(1_000, 30);
    assert.equal(pace.paced(fine), fine, 'work done within 1 s of being due keeps up with 2 s looks');
    done(2_500, 3);
    assert.equal(pace.paced(fine), fine, 'a few seconds of late work (every app entering its next step at once) are not being behind');
    done(2_500, 10);
    assert.equal(pace.paced(fine).paceMs, 10_000, 'work 2.5 s late, lasting: judged once per 10 s interval');
    assert.equal(pace.paced(fine).lookMs, 2_000, 'each window still at least a look long');
    assert.equal(pace.coarse, true);
    done(1_500, 20);
    assert.equal(pace.paced(fine).paceMs, 10_000, 'between the two limits nothing changes (no flapping)');
    done(500, 10);
    assert.equal(pace.paced(fine), fine, 'done within half a second again: every look');
    assert.deepEqual(changes, [{ lookMs: 2_000, coarse: true }, { lookMs: 2_000, coarse: false }]);
  });

  it('paces each look on its own: lateness too long for 2 s looks leaves 20 s looks alone', () => {
    const { pace, done } = paceOver();
    done(3_000, 20);
    assert.equal(pace.paced(fine).paceMs, 10_000);
    const slow = policy({ intervalMs: 60_000, lookMs: 20_000 });
    assert.equal(pace.paced(slow), slow);
    const once = policy({ intervalMs: 60_000, lookMs: 60_000 });
    assert.equal(pace.paced(once), once, 'a policy looking once per interval has nothing to coarsen');
  });

  it('counts the key not done yet, so a controller whose workers are all stuck on a slow API is behind', () => {
    let oldest = 0;
    const { pace, done } = paceOver({ oldestPending: () => oldest });
    done(100, 5);
    assert.equal(pace.paced(fine), fine);
    // Nothing finishes for 20 s: every worker waits on a slow API.
    oldest = 20_000;
    assert.ok(pace.lateMs < 1_800, 'nothing is measured before a second ends');
    done(0, 1);
    assert.ok(pace.lateMs > 1_800, `the pending key counts for the seconds it has been pending (${pace.lateMs} ms)`);
    assert.equal(pace.paced(fine).paceMs, 10_000);
  });

  it('is told how long each key waited for a worker and how long after it became ready it was done, and the oldest key not done', async () => {
    const time = new FakeTime();
    const waits: Array<[string, number]> = [];
    const dones: Array<[string, number, number]> = [];
    let release: () => void = () => undefined;
    const q = new WorkQueue({
      clock: time.clock, timers: time, concurrency: 1,
      reconcile: () => new Promise<ReconcileOutcome>((resolve) => { release = () => resolve({ requeueAfterMs: null }); }),
      onStart: (key, waited) => waits.push([key, waited]),
      onDone: (key, ms, sinceReady) => dones.push([key, ms, sinceReady]),
    });
    q.add('ns/a');
    q.add('ns/b');
    await settle();
    await time.advance(700);
    assert.equal(q.oldestPendingMs, 700, 'a has run for 700 ms, b has waited as long');
    release();
    await settle();
    assert.deepEqual(waits, [['ns/a', 0], ['ns/b', 700]]);
    assert.equal(q.oldestPendingMs, 700, 'b, running now, became ready 700 ms ago');
    await time.advance(300);
    release();
    await settle();
    assert.deepEqual(dones, [['ns/a', 700, 700], ['ns/b', 300, 1000]]);
    assert.equal(q.oldestPendingMs, 0);
  });

  it('shows on /metrics whether looks are coarsened and how long keys wait', async () => {
    const metrics = new ControllerMetrics();
    let now = 0;
    const pace = new LookPace({ clock: { now: () => now } });
    metrics.watchQueue({ depth: () => 42, averageWaitMs: () => pace.averageWaitMs, coarse: () => pace.coarse });
    for (let i = 0; i < 300; i += 1) {
      pace.waited(2_000);
      pace.finished(2_100);
      now += 100;
    }
    pace.paced(policy({ intervalMs: 10_000, lookMs: 2_000 }));
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
    const pace = new LookPace({ oldestPending: () => 60_000, clock: { now: () => h.now() } });
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
