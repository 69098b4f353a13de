import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/core/decide.ts';
import { noHookProgress } from '../../src/core/hooks.ts';
import type { CanaryState, Decision, HookProgress, HookResult } from '../../src/core/state.ts';
import type { HookName, HookPolicy, ReleasePolicy } from '../../src/core/types.ts';
import { interval, minute, policy, running, runObservation, second, t0, value } from '../support/builders.ts';

function kinds(decision: Decision): string[] {
  return decision.actions.map((a) => {
    if (a.kind === 'event') return `event:${a.reason}`;
    if (a.kind === 'route') return `route:${a.canaryWeight}`;
    if (a.kind === 'call-hook') return `call:${a.hook}@${a.look}`;
    if (a.kind === 'notify-hook') return `notify:${a.hook}`;
    return a.kind;
  });
}

function hooked(configured: readonly HookName[], overrides: Partial<ReleasePolicy> = {}, hooks: Partial<HookPolicy> = {}): ReleasePolicy {
  return policy({ steps: [10, 50], hooks: { configured, rolloutFailureLimit: 3, confirmTimeoutMs: 60 * minute, confirmPollMs: minute, ...hooks }, ...overrides });
}

function at(step: number, overrides: Partial<CanaryState> = {}, hooks: Partial<HookProgress> = {}): CanaryState {
  const weight = [10, 50][step] ?? 0;
  return running(step, { canaryWeight: weight, hooks: { ...noHookProgress(), ...hooks }, ...overrides });
}

const ok = (hook: HookName, look: string): HookResult => ({ hook, look, ok: true, detail: 'HTTP 200' });
const bad = (hook: HookName, look: string, detail = 'HTTP 503: overloaded'): HookResult => ({ hook, look, ok: false, detail });
const healthy = interval(t0, t0 + minute, value(1000), value(9000));
const firstDue = t0 + minute + 30 * second;

describe('the pre-rollout hook: a gate before any traffic moves', () => {
  const cases: ReadonlyArray<{ name: string; results: HookResult[]; phase: string; actions: string[]; message: RegExp }> = [
    { name: 'asks and waits while it has not answered', results: [], phase: 'Progressing', actions: ['call:pre-rollout@0'], message: /waiting for the pre-rollout hook/ },
    { name: 'moves to the first step once it answered 2xx', results: [ok('pre-rollout', '0')], phase: 'Progressing', actions: ['event:HookPassed', 'route:10', 'event:StepAdvanced'], message: /step 1\/2/ },
    { name: 'rolls back with its reply when it failed', results: [bad('pre-rollout', '0')], phase: 'Failed', actions: ['route:0', 'scale-target', 'event:HookFailed'], message: /pre-rollout hook failed: HTTP 503: overloaded/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(at(-1), runObservation(0, { hooks: c.results }), hooked(['pre-rollout']), t0);
      assert.equal(d.state.phase, c.phase);
      assert.deepEqual(kinds(d), c.actions);
      assert.match(d.state.message, c.message);
    });
  }
  it('remembers a pass in state: a later look without the answer (a restarted controller) does not ask again', () => {
    const passed = decide(at(-1), runObservation(0, { hooks: [ok('pre-rollout', '0')] }), hooked(['pre-rollout']), t0);
    assert.equal(passed.state.hooks.preRolloutPassed, true);
    const later = decide(passed.state, runObservation(10), hooked(['pre-rollout']), t0 + 5 * second);
    assert.ok(!kinds(later).some((k) => k.startsWith('call:pre-rollout')));
  });
  it('rolls back when the hook has not answered by the progress deadline', () => {
    const d = decide(at(-1), runObservation(0), hooked(['pre-rollout']), t0 + 11 * minute);
    assert.equal(d.state.phase, 'Failed');
    assert.match(d.state.message, /did not answer within the progress deadline/);
  });
  it('is not asked without the annotation', () => {
    const d = decide(at(-1), runObservation(0), hooked([]), t0);
    assert.deepEqual(kinds(d), ['route:10', 'event:StepAdvanced']);
  });
});

describe('the rollout hook: called every interval while the canary has traffic, a guardrail', () => {
  it('is called for the interval under way when a step starts, and the next look is no later than the next interval', () => {
    const d = decide(at(-1), runObservation(0), hooked(['rollout']), t0);
    assert.deepEqual(kinds(d), ['route:10', 'event:StepAdvanced', `call:rollout@${t0}`]);
    assert.equal(d.state.hooks.rolloutCalledFor, t0);
    assert.ok(d.requeueAfterMs !== null && d.requeueAfterMs <= minute);
  });
  it('is called once per interval, however often reconcile looks', () => {
    const p = hooked(['rollout']);
    const first = decide(at(0), runObservation(10), p, t0 + 10 * second);
    assert.deepEqual(kinds(first), [`call:rollout@${t0}`]);
    const again = decide(first.state, runObservation(10), p, t0 + 20 * second);
    assert.deepEqual(kinds(again), []);
    const next = decide(first.state, runObservation(10, { interval: healthy }), p, firstDue);
    assert.ok(kinds(next).includes(`call:rollout@${t0 + minute}`), kinds(next).join());
  });
  it('is not called while the canary has no traffic (held on the primary past the pause limit)', () => {
    const d = decide(at(0, { phase: 'Paused', pausedBy: 'limit', canaryWeight: 0, pausedAt: t0 }), runObservation(0), hooked(['rollout']), t0 + 10 * second);
    assert.ok(!kinds(d).some((k) => k.startsWith('call:rollout')));
  });
  const failures: ReadonlyArray<{ name: string; results: HookResult[]; phase: string; failuresInARow: number }> = [
    { name: 'one failure is a Warning Event, not a rollback', results: [bad('rollout', String(t0))], phase: 'Progressing', failuresInARow: 1 },
    { name: 'a pass resets the count', results: [bad('rollout', String(t0)), bad('rollout', String(t0 + minute)), ok('rollout', String(t0 + 2 * minute))], phase: 'Progressing', failuresInARow: 0 },
    { name: 'three failures in a row roll back', results: [bad('rollout', String(t0)), bad('rollout', String(t0 + minute)), bad('rollout', String(t0 + 2 * minute))], phase: 'Failed', failuresInARow: 3 },
  ];
  for (const c of failures) {
    it(c.name, () => {
      const d = decide(at(0, { stepStartedAt: t0 }, { rolloutCalledFor: t0 + 2 * minute }), runObservation(10, { hooks: c.results }), hooked(['rollout']), t0 + 2 * minute + 10 * second);
      assert.equal(d.state.phase, c.phase, d.state.message);
      assert.equal(d.state.hooks.rolloutFailures, c.failuresInARow);
      if (c.failuresInARow > 0 && c.phase !== 'Failed') assert.ok(kinds(d).includes('event:HookFailed'));
      if (c.phase === 'Failed') assert.match(d.state.message, /rollout hook failed: HTTP 503: overloaded \(3 in a row; 3 in a row roll back\)/);
    });
  }
  it('counts each answer once: the same answers seen again change nothing', () => {
    const p = hooked(['rollout']);
    const results = [bad('rollout', String(t0))];
    const first = decide(at(0, {}, { rolloutCalledFor: t0 }), runObservation(10, { hooks: results }), p, t0 + 10 * second);
    const second_ = decide(first.state, runObservation(10, { hooks: results }), p, t0 + 20 * second);
    assert.equal(second_.state.hooks.rolloutFailures, 1);
    assert.ok(!kinds(second_).includes('event:HookFailed'));
  });
});

describe('the confirm-promotion hook: a gate before promotion', () => {
  // At the last step, baked, with a healthy interval due: promotion is next.
  const last = (hooks: Partial<HookProgress> = {}, overrides: Partial<CanaryState> = {}): CanaryState => at(1, overrides, { rolloutCalledFor: null, ...hooks });
  const p = hooked(['confirm-promotion']);
  it('pauses (ConfirmationPending) and polls while it has not said yes', () => {
    const d = decide(last(), runObservation(50, { interval: healthy }), p, firstDue);
    assert.equal(d.state.phase, 'Paused');
    assert.equal(d.state.pausedBy, 'confirmation');
    assert.deepEqual(kinds(d), ['call:confirm-promotion@0', 'event:ConfirmationPending']);
  });
  it('asks again one poll interval after a non-2xx answer, and says what it answered', () => {
    const paused = decide(last(), runObservation(50, { interval: healthy }), p, firstDue).state;
    const refused = decide(paused, runObservation(50, { hooks: [bad('confirm-promotion', '0', 'HTTP 409: not yet')] }), p, firstDue + second);
    assert.equal(refused.state.hooks.confirmPolls, 1);
    assert.equal(refused.state.phase, 'Paused');
    const next = interval(t0 + minute, t0 + 3 * minute, value(1000), value(9000));
    const polled = decide(refused.state, runObservation(50, { interval: next }), p, t0 + 3 * minute + 30 * second);
    assert.ok(kinds(polled).includes('call:confirm-promotion@1'), kinds(polled).join());
    assert.match(polled.state.message, /poll 2; last: confirm-promotion hook answered HTTP 409: not yet/);
  });
  it('promotes at once when it says yes', () => {
    const paused = decide(last(), runObservation(50, { interval: healthy }), p, firstDue).state;
    const d = decide(paused, runObservation(50, { hooks: [ok('confirm-promotion', '0')] }), p, firstDue + second);
    assert.equal(d.state.phase, 'Promoting');
    assert.deepEqual(kinds(d), ['event:PromotionConfirmed', 'promote-primary', 'event:Promoting']);
  });
  it('aborts the run past its timeout (gate-timeout, else an hour), naming the last answer', () => {
    const paused = last({ lastFailure: 'confirm-promotion hook answered timed out after 30s' }, { phase: 'Paused', pausedBy: 'confirmation', pausedAt: t0 });
    const d = decide(paused, runObservation(50), p, t0 + 61 * minute);
    assert.equal(d.state.phase, 'Failed');
    assert.match(d.state.message, /did not confirm within 1h \(confirm-promotion hook answered timed out after 30s\)/);
  });
  it('is skipped by `fledge promote`', () => {
    const paused = last({}, { phase: 'Paused', pausedBy: 'confirmation', pausedAt: t0 });
    const d = decide(paused, runObservation(50, { request: { id: 'r1', verb: 'promote' } }), p, t0 + minute);
    assert.equal(d.state.phase, 'Promoting');
  });
});

describe('outcome hooks: told once the run ends', () => {
  const cases: ReadonlyArray<{ name: string; from: CanaryState; hooks: HookName[]; notice: string | null; now: number; observation: ReturnType<typeof runObservation> }> = [
    {
      name: 'post-rollout when the promotion completes',
      from: at(1, { phase: 'Promoting' }),
      hooks: ['post-rollout', 'rollback'],
      notice: 'notify:post-rollout',
      now: t0,
      observation: runObservation(50, { primaryRevision: 'rev-b' }),
    },
    {
      name: 'rollback when the run is rolled back',
      from: at(0),
      hooks: ['post-rollout', 'rollback'],
      notice: 'notify:rollback',
      now: firstDue,
      observation: runObservation(10, { interval: interval(t0, t0 + minute, value(1000, 300), value(9000)) }),
    },
    {
      name: 'rollback when a person aborts',
      from: at(0),
      hooks: ['rollback'],
      notice: 'notify:rollback',
      now: t0 + second,
      observation: runObservation(10, { request: { id: 'r1', verb: 'abort' } }),
    },
    { name: 'nothing without the annotation', from: at(0), hooks: ['post-rollout'], notice: null, now: t0 + second, observation: runObservation(10, { request: { id: 'r1', verb: 'abort' } }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(c.from, c.observation, hooked(c.hooks), c.now);
      const notices = kinds(d).filter((k) => k.startsWith('notify:'));
      assert.deepEqual(notices, c.notice === null ? [] : [c.notice], `${d.state.phase}: ${kinds(d).join()}`);
    });
  }
  it('a new run forgets the previous run’s hook answers', () => {
    const failed = at(0, { phase: 'Failed', lastFailedRevision: 'rev-b' }, { preRolloutPassed: true, rolloutFailures: 3, lastFailure: 'x' });
    const d = decide(failed, runObservation(0, { targetRevision: 'rev-c', target: { replicas: 0, readyReplicas: 0, rolledOut: true, stalled: false } }), hooked(['pre-rollout']), t0);
    assert.equal(d.state.revision, 'rev-c');
    assert.deepEqual(d.state.hooks, noHookProgress());
  });
});
