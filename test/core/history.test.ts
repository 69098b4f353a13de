import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recordLook, roundEvidence } from '../../src/core/history.ts';
import { changedAt, thinLooks } from '../../src/core/history-thin.ts';
import { emptyHistory, historyLimits, type History, type Look } from '../../src/core/history-types.ts';
import type { CanaryState } from '../../src/core/state.ts';
import { historyFromStatus, historyToStatus } from '../../src/ports/canary-history.ts';
import { interval, judgePolicy, minute, policy, running, state, t0, value } from '../support/builders.ts';

function look(at: number, overrides: Partial<Look> = {}): Look {
  return { at, weight: 10, step: 1, phase: 'Progressing', canary: { requests: 100, events: { failures: 1 } }, primary: null, evidence: { errors: 1 }, note: null, ...overrides };
}

// A judge whose metrics are named by the user: the history keeps whatever names it is given.
const custom = policy({ judge: judgePolicy({ metrics: [{ name: 'checkout-errors', event: 'failures', sloRate: 0.01, rMax: 2 }] }) });

function withEvidence(s: CanaryState, harm: number): CanaryState {
  const metric = { name: 'checkout-errors', canaryRequests: 0, canaryEvents: 0, primaryRequests: 0, primaryEvents: 0, ratio: null, harm, safe: 1, logLr: {} };
  return { ...s, evidence: { metrics: [metric], intervals: 1, noDataStreak: 0, failedChecks: 0, measuredMs: 0, rollbackAt: null } };
}

describe('thinning the looks of a run', () => {
  it('keeps every look while within the bound', () => {
    const looks = Array.from({ length: 50 }, (_, i) => look(i));
    assert.deepEqual(thinLooks(looks, 120), looks);
  });

  it('thins a long run to the bound, keeping the first and last looks and every change of weight', () => {
    let kept: Look[] = [];
    for (let i = 0; i < 2000; i += 1) kept = thinLooks([...kept, look(i, { weight: i < 700 ? 10 : i < 1500 ? 20 : 50, step: i < 700 ? 1 : i < 1500 ? 2 : 3 })], 120);
    assert.ok(kept.length <= 120, `${kept.length} looks`);
    assert.equal(kept[0]?.at, 0);
    assert.equal(kept.at(-1)?.at, 1999);
    assert.ok(kept.some((l) => l.at === 700) && kept.some((l) => l.at === 1500), 'the looks where the weight moved are kept');
    const spacing = kept.slice(1).map((l, i) => l.at - (kept[i]?.at ?? 0));
    assert.ok(Math.max(...spacing) <= 2000 / 15, `thinned, not cut: no stretch of the run goes missing (largest gap ${Math.max(...spacing)} looks)`);
  });

  it('keeps looks with a reason rather than plain ones', () => {
    const looks = Array.from({ length: 300 }, (_, i) => look(i, { note: i === 3 ? 'paused: no canary data for 3 intervals' : null }));
    assert.ok(thinLooks(looks, 120).some((l) => l.note !== null));
  });

  it('counts the first look as a change (nothing before it)', () => {
    assert.equal(changedAt([look(0)], 0), true);
  });

  it('still bounds a run where every look changed something', () => {
    const looks = Array.from({ length: 500 }, (_, i) => look(i, { weight: i % 2 === 0 ? 10 : 20 }));
    assert.ok(thinLooks(looks, 120).length <= 120);
  });
});

describe('recording looks', () => {
  const before = running(0, { canaryWeight: 10, analyzedUntil: t0 });
  const measured = interval(t0, t0 + minute, value(1000, 12, 3), value(9000, 9, 9));

  it('records a judged interval: both sides, the weight, the 1-based step, each metric by name', () => {
    const after = withEvidence({ ...before, analyzedUntil: t0 + minute }, 4.2);
    const history = recordLook(emptyHistory(), { before, after, interval: measured, policy: custom, now: t0 + 90_000 });
    const only = history.current?.looks;
    assert.equal(only?.length, 1);
    assert.deepEqual(only?.[0], {
      at: t0 + minute, weight: 10, step: 1, phase: 'Progressing',
      canary: { requests: 1000, events: { failures: 12, slow: 3 } }, primary: { requests: 9000, events: { failures: 9, slow: 9 } },
      evidence: { 'checkout-errors': 4.2 }, note: null,
    });
    assert.equal(history.current?.rollbackAt, 20, 'M/α: one metric, α = 0.05');
  });

  it('records nothing when nothing was judged and nothing changed', () => {
    const history = recordLook(emptyHistory(), { before, after: before, interval: null, policy: custom, now: t0 });
    assert.equal(history.current?.looks.length, 0);
  });

  it('moves a run that ended to the last run, with its outcome and the sentence that ended it', () => {
    const open = recordLook(emptyHistory(), { before, after: { ...before, analyzedUntil: t0 + minute }, interval: measured, policy: custom, now: t0 + 90_000 });
    const failed = state({ phase: 'Failed', revision: 'rev-b', runStartedAt: t0, message: 'revision rev-b rolled back: errors 5% vs 0.1%' });
    const history = recordLook(open, { before, after: failed, interval: null, policy: custom, now: t0 + 2 * minute });
    assert.equal(history.current, null);
    assert.equal(history.last?.outcome, 'Failed');
    assert.equal(history.last?.endedAt, t0 + 2 * minute);
    assert.equal(history.last?.looks.at(-1)?.note, 'revision rev-b rolled back: errors 5% vs 0.1%');
    assert.equal(history.last?.looks.at(-1)?.step, 0);
  });

  it('a new run replaces the one in flight, which becomes the last run as superseded', () => {
    const open = recordLook(emptyHistory(), { before, after: { ...before, analyzedUntil: t0 + minute }, interval: measured, policy: custom, now: t0 + 90_000 });
    const next = running(-1, { revision: 'rev-c', runStartedAt: t0 + 5 * minute });
    const history: History = recordLook(open, { before, after: next, interval: null, policy: custom, now: t0 + 5 * minute });
    assert.equal(history.last?.revision, 'rev-b');
    assert.equal(history.last?.outcome, 'Superseded');
    assert.equal(history.current?.revision, 'rev-c');
  });

  it('reads back from status as it was written', () => {
    const open = recordLook(emptyHistory(), { before, after: withEvidence({ ...before, analyzedUntil: t0 + minute }, 4.2), interval: measured, policy: custom, now: t0 + 90_000 });
    const paused = { ...before, analyzedUntil: t0 + minute, phase: 'Paused' as const, pausedBy: 'no-data' as const, message: 'paused: no canary data' };
    const history = recordLook(open, { before: { ...before, analyzedUntil: t0 + minute }, after: paused, interval: interval(t0 + minute, t0 + 2 * minute, { kind: 'no-data' }), policy: custom, now: t0 + 3 * minute });
    assert.deepEqual(historyFromStatus(historyToStatus(history)), history);
    assert.equal(historyLimits.maxLooks, 120);
  });

  it('records a judged window without canary data as no counts for the canary', () => {
    const empty = interval(t0, t0 + minute, { kind: 'no-data' }, value(9000, 9, 9));
    const history = recordLook(emptyHistory(), { before, after: { ...before, analyzedUntil: t0 + minute }, interval: empty, policy: custom, now: t0 + 90_000 });
    assert.equal(history.current?.looks[0]?.canary, null);
    assert.equal(history.current?.looks[0]?.primary?.requests, 9000);
  });

  it('has no rollback line for the threshold judge', () => {
    const threshold = policy({ judge: judgePolicy({ kind: 'threshold' }) });
    assert.equal(recordLook(emptyHistory(), { before, after: before, interval: null, policy: threshold, now: t0 }).current?.rollbackAt, null);
  });

  it('records nothing outside a run, and calls a run withdrawn when the Deployment went back', () => {
    const idle = state();
    assert.deepEqual(recordLook(emptyHistory(), { before: idle, after: idle, interval: null, policy: custom, now: t0 }), emptyHistory());
    const unstamped = running(-1, { revision: null, runStartedAt: null });
    assert.deepEqual(recordLook(emptyHistory(), { before: idle, after: unstamped, interval: null, policy: custom, now: t0 }), emptyHistory(), 'a run without a start time is not recorded');
    const open = recordLook(emptyHistory(), { before, after: before, interval: null, policy: custom, now: t0 });
    const withdrawn = recordLook(open, { before, after: state({ phase: 'Ready', message: 'revision rev-b withdrawn' }), interval: null, policy: custom, now: t0 + minute });
    assert.equal(withdrawn.last?.outcome, 'Withdrawn');
  });

  it('keeps e-values finite with three significant digits', () => {
    assert.deepEqual([roundEvidence(12.3456), roundEvidence(Infinity), roundEvidence(Number.NaN)], [12.3, Number.MAX_VALUE, 0]);
  });
});
