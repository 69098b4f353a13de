import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/core/decide.ts';
import { advanceInMs, dueInterval, gridCeil, gridFloor, measureFrom, untilNextInterval } from '../../src/core/schedule.ts';
import { minute, policy, running, runObservation, second, t0 } from '../support/builders.ts';

// The builders' policy: 1-minute intervals, metrics lag 30 s; t0 is on the minute grid.
const lag = 30 * second;

describe('the interval grid', () => {
  const cases = [
    { t: t0, ceil: t0, floor: t0 },
    { t: t0 + 1, ceil: t0 + minute, floor: t0 },
    { t: t0 + minute - 1, ceil: t0 + minute, floor: t0 },
    { t: t0 + minute, ceil: t0 + minute, floor: t0 + minute },
  ];
  for (const c of cases) {
    it(`puts t0 + ${c.t - t0} ms between grid points t0 + ${c.floor - t0} and t0 + ${c.ceil - t0}`, () => {
      assert.equal(gridCeil(c.t, minute), c.ceil);
      assert.equal(gridFloor(c.t, minute), c.floor);
    });
  }

  it('has its points at multiples of the interval since the epoch, whatever the interval', () => {
    assert.equal(gridCeil(t0 + 1, 7 * second) % (7 * second), 0);
    assert.equal(measureFrom(policy({ intervalMs: 45 * second }), t0 + 1) % (45 * second), 0);
  });
});

describe('the interval due', () => {
  const cases = [
    { name: 'nothing before one whole interval has data', from: t0, now: t0 + minute + lag - 1, due: null },
    { name: 'the interval once its data is complete', from: t0, now: t0 + minute + lag, due: { start: t0, end: t0 + minute } },
    { name: 'every whole interval after a controller was down', from: t0, now: t0 + 3 * minute + lag + 5 * second, due: { start: t0, end: t0 + 3 * minute } },
    { name: 'one longer window ending on the grid for a start off the grid (an older status)', from: t0 + 10 * second, now: t0 + minute + lag, due: null },
    { name: 'that longer window once it spans an interval', from: t0 + 10 * second, now: t0 + 2 * minute + lag, due: { start: t0 + 10 * second, end: t0 + 2 * minute } },
  ];
  for (const c of cases) {
    it(`is ${c.name}`, () => {
      assert.deepEqual(dueInterval(running(0, { analyzedUntil: c.from }), policy(), c.now), c.due);
    });
  }

  const waits = [
    { name: 'until the next grid end plus the lag', from: t0, now: t0 + 10 * second, wait: minute + lag - 10 * second },
    { name: 'until the grid end after an off-grid start', from: t0 + 10 * second, now: t0 + 10 * second, wait: 2 * minute + lag - 10 * second },
    { name: 'zero once it is overdue', from: t0, now: t0 + 5 * minute, wait: 0 },
  ];
  for (const c of waits) {
    it(`is waited for ${c.name}`, () => {
      assert.equal(untilNextInterval(running(0, { analyzedUntil: c.from }), policy(), c.now), c.wait);
    });
  }
});

describe('the first step', () => {
  const ready = runObservation(0);
  const waiting = running(-1);

  it('measures from the grid point before it, so the first window holds the first moments of traffic', () => {
    const d = decide(waiting, ready, policy(), t0 + 20 * second);
    assert.equal(d.state.step, 0);
    assert.equal(d.state.stepStartedAt, t0 + 20 * second);
    assert.equal(d.state.analyzedUntil, t0);
    assert.equal(d.requeueAfterMs, minute + lag - 20 * second, 'the first window ends at the next grid point');
  });

  it('measures from now when the step starts on a grid point', () => {
    assert.equal(decide(waiting, ready, policy(), t0).state.analyzedUntil, t0);
  });

  it('gives canaries stepping in at different moments the same windows', () => {
    const early = decide(waiting, ready, policy(), t0 + 5 * second).state;
    const late = decide(waiting, ready, policy(), t0 + 50 * second).state;
    const now = t0 + 2 * minute + lag;
    assert.deepEqual(dueInterval(early, policy(), now), dueInterval(late, policy(), now));
  });
});

describe('when a step may advance', () => {
  const step = running(1, { stepStartedAt: t0, analyzedUntil: t0 });

  it('is when its bake ends, counted from now (negative once it has ended)', () => {
    assert.equal(advanceInMs(step, policy(), t0 + 20 * second), 40 * second);
    assert.equal(advanceInMs(step, policy(), t0 + 2 * minute), -minute);
  });

  it('is never while paused, in evidence mode (a look may advance at any time) or outside a run', () => {
    assert.equal(advanceInMs({ ...step, phase: 'Paused', pausedBy: 'user' }, policy(), t0), null);
    assert.equal(advanceInMs(step, policy({ promotion: 'evidence' }), t0), null);
    assert.equal(advanceInMs({ ...step, phase: 'Succeeded', stepStartedAt: null }, policy(), t0), null);
  });
});
