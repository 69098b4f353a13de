// The sequential judge looks every 2 scrapes (policy.lookMs), not once per interval: windows on
// the look grid are judged as their data arrives, steps still advance on the bake schedule.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/core/decide.ts';
import { dueInterval, lookbackMs, lookMs, looksPerInterval, measureFrom, untilNextInterval } from '../../src/core/schedule.ts';
import type { CanaryState, Decision } from '../../src/core/state.ts';
import type { IntervalMeasurement, ReleasePolicy, Sample } from '../../src/core/types.ts';
import { interval, minute, policy, running, runObservation, second, t0, value } from '../support/builders.ts';

// 15 s scrapes: metrics lag 30 s, a look every 30 s, queries reach one 15 s scrape back.
const lag = 30 * second;
const look = 30 * second;
const looking = policy({ lookMs: look, metricsLagMs: lag });

describe('the look grid', () => {
  it('is the policy look, never longer than the interval', () => {
    assert.equal(lookMs(looking), look);
    assert.equal(lookMs(policy({ lookMs: 5 * minute })), minute);
    assert.equal(looksPerInterval(looking), 2);
    assert.equal(lookbackMs(looking), 15 * second);
  });

  it('starts measuring at the look under way when traffic first reaches the canary', () => {
    assert.equal(measureFrom(looking, t0 + 20 * second), t0);
    assert.equal(measureFrom(looking, t0 + 40 * second), t0 + look);
  });

  const cases = [
    { name: 'nothing before one whole look has data', from: t0, now: t0 + look + lag - 1, due: null },
    { name: 'one look once its data is complete, half an interval in', from: t0, now: t0 + look + lag, due: { start: t0, end: t0 + look } },
    { name: 'the next look, starting where the last ended', from: t0 + look, now: t0 + 2 * look + lag, due: { start: t0 + look, end: t0 + 2 * look } },
    { name: 'every whole look in one window after a controller was down', from: t0, now: t0 + 5 * look + lag + second, due: { start: t0, end: t0 + 5 * look } },
  ];
  for (const c of cases) {
    it(`makes due ${c.name}`, () => {
      assert.deepEqual(dueInterval(running(0, { analyzedUntil: c.from }), looking, c.now), c.due);
    });
  }

  it('waits for the next look, not the next interval', () => {
    assert.equal(untilNextInterval(running(0, { analyzedUntil: t0 }), looking, t0 + 10 * second), look + lag - 10 * second);
  });

  it('while the controller is behind, ends windows on the interval grid, each at least a look long', () => {
    // Looks every 20 s of a 1-minute interval, paced: windows end at the minute marks only.
    const fine = 20 * second;
    const paced = { ...looking, lookMs: fine, paceMs: minute };
    const startedOffGrid = running(0, { analyzedUntil: t0 + fine });
    assert.equal(dueInterval(startedOffGrid, paced, t0 + 2 * fine + lag), null, 'not at the next 20 s look');
    assert.deepEqual(dueInterval(startedOffGrid, paced, t0 + minute + lag), { start: t0 + fine, end: t0 + minute }, 'at the minute mark, without waiting for a whole interval');
    assert.equal(untilNextInterval(startedOffGrid, paced, t0 + fine + lag), 2 * fine, 'and it waits for that mark');
    assert.deepEqual(dueInterval(running(0, { analyzedUntil: t0 + minute }), paced, t0 + 2 * minute + lag), { start: t0 + minute, end: t0 + 2 * minute });
  });

  it('while behind, ends the window a baked step waits for on the look grid: its advance is not held for the interval mark', () => {
    const fine = 20 * second;
    const paced = { ...looking, lookMs: fine, paceMs: minute };
    // The step began 5 s after the last judged window ended; it bakes for a minute.
    const waiting = running(1, { analyzedUntil: t0 + minute, stepStartedAt: t0 + minute + 5 * second });
    const baked = t0 + 2 * minute + 5 * second;
    assert.equal(dueInterval(waiting, paced, baked - second), null, 'before the bake ends: the interval grid, as for any look');
    assert.deepEqual(dueInterval(waiting, paced, baked), { start: t0 + minute, end: t0 + minute + fine }, 'once baked: the last whole 20 s look, past the step start');
    assert.equal(untilNextInterval(waiting, paced, baked), 0);
    const advanced = decide(waiting, { ...runObservation(10), interval: interval(t0 + minute, t0 + minute + fine, value(300, 0, 0), value(2700, 3, 0)) }, paced, baked);
    assert.equal(advanced.state.step, 2, advanced.state.message);
    const judged = running(1, { analyzedUntil: t0 + minute + fine, stepStartedAt: t0 + minute + 5 * second });
    assert.equal(dueInterval(judged, paced, baked + fine), null, 'a step with a window past its start: the interval grid again');
  });

  it('gives canaries stepping in within one look the same windows (one batched query serves them)', () => {
    const first = decide(running(-1), runObservation(0), looking, t0 + 3 * second).state;
    const second_ = decide(running(-1), runObservation(0), looking, t0 + 29 * second).state;
    const now = t0 + 3 * look + lag;
    assert.deepEqual(dueInterval(first, looking, now), dueInterval(second_, looking, now));
  });
});

/** Feeds one look's measurement to decide at the moment its data is complete. */
function lookAt(state: CanaryState, sides: { canary: Sample; primary: Sample }, p: ReleasePolicy = looking): Decision {
  const start = state.analyzedUntil ?? t0;
  const measured: IntervalMeasurement = interval(start, start + look, sides.canary, sides.primary);
  return decide(state, { ...runObservation(10), interval: measured }, p, start + look + lag);
}

describe('a harmful canary', () => {
  // 10% of traffic; 30 s of scrapes at 100 req/s per look: 300 canary requests, 2700 primary.
  const bad = { canary: value(300, 12, 0), primary: value(2700, 3, 0) };

  it('is rolled back half an interval after its data arrives, where the interval judge waits for the interval', () => {
    const started = { ...running(0, { analyzedUntil: t0, stepStartedAt: t0 - 5 * second }), canaryWeight: 10 };
    const first = lookAt(started, bad);
    assert.equal(first.state.phase, 'Failed', first.state.message);
    assert.equal(first.state.analyzedUntil, t0 + look);
    // The same data, judged once per interval: nothing is due half an interval in.
    const perInterval = decide(started, { ...runObservation(10), interval: interval(t0, t0 + look, bad.canary, bad.primary) }, policy(), t0 + look + lag);
    assert.equal(perInterval.state.phase, 'Progressing');
    assert.equal(perInterval.state.analyzedUntil, t0, 'a half-interval window is not judged by a policy without finer looks');
  });

  it('is rolled back at once by the catastrophe guardrail on one look', () => {
    const started = { ...running(0, { analyzedUntil: t0, stepStartedAt: t0 - 5 * second }), canaryWeight: 10 };
    const d = lookAt(started, { canary: value(300, 150, 0), primary: value(2700, 3, 0) });
    assert.equal(d.state.phase, 'Failed');
    assert.match(d.state.message, /canary failed 50% of/);
  });
});

describe('steps with finer looks', () => {
  const quiet = { canary: value(300, 0, 0), primary: value(2700, 3, 0) };

  it('advance on the bake schedule, not at every look', () => {
    let state: CanaryState = { ...running(0, { analyzedUntil: t0, stepStartedAt: t0 + 5 * second }), canaryWeight: 10 };
    const steps: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      state = lookAt(state, quiet).state;
      steps.push(state.step);
    }
    // Bake 1 min from t0 + 5 s: the look read at t0 + 90 s is the first one past the bake.
    assert.deepEqual(steps, [0, 1, 1, 2]);
  });

  it('count a missing look as no data, and pause only after noDataIntervals intervals of them', () => {
    let state: CanaryState = { ...running(0, { analyzedUntil: t0, stepStartedAt: t0 - minute }), canaryWeight: 10 };
    const reasons: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      state = lookAt(state, { canary: { kind: 'no-data' }, primary: value(2700, 3, 0) }).state;
      reasons.push(state.pausedBy ?? 'running');
    }
    assert.deepEqual(reasons, ['running', 'running', 'running', 'running', 'running', 'no-data']);
    assert.match(state.message, /the canary received no requests in the last 6 windows/);
    assert.equal(state.evidence?.noDataStreak, 6);
  });
});

describe('the status with many more looks', () => {
  it('stays the same size: the evidence is a few running sums, not a list of looks', () => {
    const quiet = { canary: value(300, 0, 0), primary: value(2700, 3, 0) };
    const held = policy({ lookMs: look, metricsLagMs: lag, bakeMs: 10 * 60 * minute, intervalMs: minute });
    let state: CanaryState = { ...running(0, { analyzedUntil: t0, stepStartedAt: t0 }), canaryWeight: 10 };
    const sizes: number[] = [];
    for (let i = 1; i <= 1000; i += 1) {
      state = lookAt(state, quiet, held).state;
      if (i === 10 || i === 1000) sizes.push(JSON.stringify(state).length);
    }
    assert.equal(state.evidence?.intervals, 1000);
    const [after10 = 0, after1000 = 0] = sizes;
    assert.ok(after1000 <= after10 + 40, `status grew from ${after10} to ${after1000} bytes over 990 more looks`);
  });
});

describe("the canary's SLO test on short windows", () => {
  const started = { ...running(0, { analyzedUntil: t0, stepStartedAt: t0 - minute }), canaryWeight: 10 };
  const sloSum = (d: Decision): number => (d.state.evidence?.metrics[0]?.logLr['slo'] ?? []).reduce((a, b) => a + b, 0);

  it('counts a window whose primary shows itself within the SLO', () => {
    const d = lookAt(started, { canary: value(3, 2, 0), primary: value(2850, 3, 0) });
    assert.ok(sloSum(d) > 0, 'two failures of three canary requests count against an SLO of 1% when the primary is clearly healthy');
  });

  it("skips a window whose primary is too small to show it: a blip both share is not the canary's", () => {
    // 28 primary requests without a failure happen in a quarter of such windows even when both fail 5%.
    const d = lookAt(started, { canary: value(3, 2, 0), primary: value(28, 0, 0) });
    assert.equal(sloSum(d), 0);
    assert.notEqual(d.state.phase, 'Failed');
  });
});

describe('a canary that never gets traffic, judged every look (fledge.dev/on-no-data)', () => {
  const idle = { canary: { kind: 'no-data' } as Sample, primary: value(2700, 3, 0) };

  function idleFor(minutes: number, p: ReleasePolicy): CanaryState {
    let state: CanaryState = { ...running(0, { analyzedUntil: t0, stepStartedAt: t0, progressAt: t0 }), canaryWeight: 10 };
    for (let i = 0; i < (minutes * minute) / look && state.phase !== 'Failed'; i += 1) state = lookAt(state, idle, p).state;
    return state;
  }

  it('is rolled back at the progress deadline by default', () => {
    const state = idleFor(12, looking);
    assert.equal(state.phase, 'Failed');
    assert.match(state.message, /the canary received no requests for \d+ minutes, past the progress deadline/);
  });

  it('with on-no-data: pause, waits at the promotion gate for a person instead', () => {
    const state = idleFor(12, policy({ lookMs: look, metricsLagMs: lag, onNoData: 'pause' }));
    assert.equal(state.phase, 'Paused');
    assert.equal(state.pausedBy, 'gate');
    assert.match(state.message, /on-no-data: pause/);
  });
});

describe('a step baked between two looks (schedule mode)', () => {
  // Looks once a minute (a paced or a threshold-judged canary), bake 100 s: the bake ends between two looks.
  const slow = policy({ lookMs: minute, metricsLagMs: lag, bakeMs: 100 * second });
  const judgedOnce = running(0, { stepStartedAt: t0, analyzedUntil: t0 + minute, message: 'the canary is no worse so far' });

  it('wakes at the end of the bake rather than at the next look', () => {
    const look = decide(running(0), { ...runObservation(10), interval: interval(t0, t0 + minute, value(900, 1, 1)) }, slow, t0 + minute + lag);
    assert.equal(look.state.step, 0);
    assert.equal(look.requeueAfterMs, 100 * second - (minute + lag), 'the bake ends before the next look is read');
  });

  it('advances at the end of the bake on the verdict of its last look, without waiting for the next', () => {
    const decision = decide(judgedOnce, runObservation(10), slow, t0 + 100 * second);
    assert.equal(decision.state.step, 1);
    assert.equal(decision.state.canaryWeight, 20);
    assert.ok(decision.actions.some((a) => a.kind === 'route' && a.canaryWeight === 20));
  });

  it('waits for a look when nothing was judged since the step began, and in evidence mode', () => {
    assert.equal(decide({ ...judgedOnce, analyzedUntil: t0 }, runObservation(10), slow, t0 + 100 * second).state.step, 0);
    assert.equal(decide(judgedOnce, runObservation(10), { ...slow, promotion: 'evidence' }, t0 + 100 * second).state.step, 0);
  });
});
