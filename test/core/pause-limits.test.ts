import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/core/decide.ts';
import type { CanaryState, Decision, Observation } from '../../src/core/state.ts';
import type { ReleasePolicy, Sample } from '../../src/core/types.ts';
import { interval, minute, policy, running, runObservation, second, t0, value } from '../support/builders.ts';

function kinds(decision: Decision): string[] {
  return decision.actions.map((a) => (a.kind === 'event' ? `event:${a.reason}` : a.kind === 'route' ? `route:${a.canaryWeight}` : a.kind));
}

const outage: Sample = { kind: 'error', message: 'connect ECONNREFUSED 127.0.0.1:9090' };
const lag = 30 * second;

/** Looks once a minute from `from` for `minutes`, each judging the interval due (canary samples from `sample`). */
function lookEachMinute(start: CanaryState, input: { from: number; minutes: number; sample: Sample; routed?: number; policy?: ReleasePolicy }): Decision[] {
  const decisions: Decision[] = [];
  let s = start;
  for (let i = 1; i <= input.minutes; i += 1) {
    const now = input.from + i * minute + lag;
    const end = input.from + i * minute;
    const observed: Observation = runObservation(input.routed ?? s.canaryWeight, { interval: interval(s.analyzedUntil ?? input.from, end, input.sample, input.sample) });
    const d = decide(s, observed, input.policy ?? policy(), now);
    decisions.push(d);
    s = d.state;
  }
  return decisions;
}

describe('pause limits', () => {
  it('holds traffic at the step through a Prometheus outage shorter than the pause limit', () => {
    const looks = lookEachMinute(running(1), { from: t0, minutes: 29, sample: outage });
    const last = looks.at(-1)!;
    assert.equal(last.state.pausedBy, 'metrics-unavailable');
    assert.equal(last.state.pausedAt, t0 + minute + lag, 'the pause began at the first failed look and is kept');
    assert.ok(looks.every((d) => !kinds(d).some((k) => k.startsWith('route'))), 'no traffic moved');
  });

  it('moves all traffic back to the primary after a Prometheus outage longer than the pause limit, and waits for a person', () => {
    const looks = lookEachMinute(running(1), { from: t0, minutes: 32, sample: outage });
    const limited = looks.find((d) => d.state.pausedBy === 'limit');
    assert.ok(limited !== undefined, 'the pause limit was reached');
    assert.deepEqual(kinds(limited), ['route:0', 'event:PauseLimitReached']);
    assert.equal(limited.state.phase, 'Paused', 'paused, not failed');
    assert.equal(limited.state.canaryWeight, 0);
    assert.match(limited.state.message, /^paused 31m by Prometheus errors \(pause limit 30m\): all traffic back on the primary; `fledge resume` continues at step 2\/5 \(20%\)/);
    assert.equal(limited.requeueAfterMs, null);
  });

  it('keeps traffic on the primary after the limit even when Prometheus recovers, until `fledge resume`', () => {
    const looks = lookEachMinute(running(1), { from: t0, minutes: 32, sample: outage });
    const held = looks.at(-1)!.state;
    assert.equal(held.pausedBy, 'limit');
    const later = t0 + 40 * minute;
    const healthy = decide(held, runObservation(0, { interval: interval(held.analyzedUntil ?? t0, later - lag, value(1000), value(9000)) }), policy(), later);
    assert.equal(healthy.state.pausedBy, 'limit');
    assert.deepEqual(kinds(healthy), []);
    const edited = decide(held, runObservation(30), policy(), later);
    assert.deepEqual(kinds(edited), ['route:0'], 'a split edited by hand goes back to the primary');
    const resumed = decide(held, runObservation(0, { request: { id: 'r1', verb: 'resume' } }), policy(), later);
    assert.equal(resumed.state.phase, 'Progressing');
    assert.equal(resumed.state.pausedBy, null);
    assert.equal(resumed.state.pausedAt, null);
    assert.equal(resumed.state.stepStartedAt, later, 'the step starts over');
    assert.equal(resumed.state.analyzedUntil, later, 'nothing measured while traffic sat on the primary is judged');
    assert.deepEqual(kinds(resumed), ['route:20']);
  });

  it('aborts a held run on `fledge abort`', () => {
    const looks = lookEachMinute(running(1), { from: t0, minutes: 32, sample: outage });
    const aborted = decide(looks.at(-1)!.state, runObservation(0, { request: { id: 'a', verb: 'abort' } }), policy(), t0 + 40 * minute);
    assert.equal(aborted.state.phase, 'Failed');
  });

  it('never limits a shared incident: both sides failing pauses for as long as it lasts', () => {
    const both = value(1000, 600);
    const looks = lookEachMinute(running(1), { from: t0, minutes: 90, sample: both });
    assert.ok(looks.every((d) => d.state.pausedBy === 'shared-incident'), looks.map((d) => d.state.pausedBy).join(','));
    assert.ok(looks.every((d) => !kinds(d).some((k) => k.startsWith('route'))), 'no traffic moved');
  });

  it('uses the configured pause limit', () => {
    const looks = lookEachMinute(running(1), { from: t0, minutes: 7, sample: outage, policy: policy({ pauseLimitMs: 5 * minute }) });
    assert.equal(looks.at(-1)!.state.pausedBy, 'limit');
  });
});

describe('gate timeout', () => {
  const gated = (extra: Partial<ReleasePolicy>): Decision[] =>
    lookEachMinute(running(4), { from: t0, minutes: 70, sample: value(1000), policy: policy({ manualGate: true, ...extra }) });

  it('waits at the promotion gate for as long as it takes without a gate timeout', () => {
    const looks = gated({});
    assert.equal(looks.at(-1)!.state.pausedBy, 'gate');
  });

  it('rolls back a run nobody promoted within the gate timeout', () => {
    const looks = gated({ gateTimeoutMs: 60 * minute });
    const timedOut = looks.find((d) => d.state.phase === 'Failed');
    assert.ok(timedOut !== undefined, 'the gate timed out');
    assert.deepEqual(kinds(timedOut), ['route:0', 'scale-target', 'event:GateTimedOut']);
    assert.match(timedOut.state.message, /nobody ran `fledge promote` within the gate timeout of 1 hour \(waited 1 hour 1 minute\)/);
  });

  describe('a canary that never gets traffic (fledge.dev/on-no-data)', () => {
    const idle: Sample = { kind: 'no-data' };

    it('is rolled back at the progress deadline by default', () => {
      const looks = lookEachMinute(running(0), { from: t0, minutes: 12, sample: idle });
      const failed = looks.find((d) => d.state.phase === 'Failed');
      assert.ok(failed !== undefined, 'rolled back');
      assert.ok(kinds(failed).includes('event:ProgressDeadlineExceeded'));
    });

    it('with on-no-data: pause, waits at the promotion gate past the deadline, for as long as it takes, traffic untouched', () => {
      const looks = lookEachMinute(running(0), { from: t0, minutes: 60, sample: idle, policy: policy({ onNoData: 'pause' }) });
      assert.ok(looks.every((d) => d.state.phase !== 'Failed'), 'never rolled back');
      const held = looks.find((d) => d.state.pausedBy === 'gate');
      assert.ok(held !== undefined, 'held at the gate');
      assert.deepEqual(kinds(held), ['event:WaitingForPromotion']);
      assert.match(held.state.message, /the canary received no requests for \d+ minutes, past the progress deadline of \d+ minutes; held for a person \(on-no-data: pause\): `fledge promote` promotes without evidence, `fledge abort` rolls back/);
      assert.equal(looks.at(-1)!.state.pausedBy, 'gate', 'not moved to the pause limit: it is a person\'s call');
      assert.ok(looks.every((d) => !kinds(d).some((k) => k.startsWith('route'))), 'no traffic moved');
    });

    it('with on-no-data: pause, is promoted by `fledge promote` and aborted by the gate timeout', () => {
      const looks = lookEachMinute(running(0), { from: t0, minutes: 15, sample: idle, policy: policy({ onNoData: 'pause' }) });
      const held = looks.at(-1)!.state;
      assert.equal(held.pausedBy, 'gate');
      const promoted = decide(held, runObservation(10, { request: { id: 'p1', verb: 'promote' } }), policy({ onNoData: 'pause' }), t0 + 16 * minute);
      assert.equal(promoted.state.phase, 'Promoting');
      const timedOut = lookEachMinute(running(0), { from: t0, minutes: 90, sample: idle, policy: policy({ onNoData: 'pause', gateTimeoutMs: 60 * minute }) })
        .find((d) => d.state.phase === 'Failed');
      assert.ok(timedOut !== undefined && kinds(timedOut).includes('event:GateTimedOut'), 'aborted at the gate timeout');
    });
  });
});
