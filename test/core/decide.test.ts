import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, maxRequeueMs } from '../../src/core/decide.ts';
import type { Action, Decision } from '../../src/core/state.ts';
import { initialState } from '../../src/core/transitions.ts';
import {
  interval, minute, observation, policy, running, runObservation, second, state, t0, value, workload,
} from '../support/builders.ts';

function kinds(decision: Decision): string[] {
  return decision.actions.map((a) => (a.kind === 'event' ? `event:${a.reason}` : a.kind === 'route' ? `route:${a.canaryWeight}` : a.kind === 'scale-target' ? `scale:${a.replicas}` : a.kind));
}
function routes(decision: Decision): Action[] {
  return decision.actions.filter((a) => a.kind === 'route');
}

// A step's first interval [t0, t0+1m] is due once its data is complete, 30 s later.
const firstDue = t0 + minute + 30 * second;
const healthy = interval(t0, t0 + minute, value(1000), value(9000));

describe('Initializing', () => {
  it('waits while the primary is not ready, moving no traffic', () => {
    const d = decide(initialState(), observation({ primary: workload({ readyReplicas: 0 }), routedCanaryWeight: null, target: workload() }), policy(), t0);
    assert.equal(d.state.phase, 'Initializing');
    assert.deepEqual(d.actions, []);
    assert.ok(d.requeueAfterMs !== null && d.requeueAfterMs > 0);
  });
  it('routes everything to the ready primary first, then scales the target to zero', () => {
    const d = decide(initialState(), observation({ routedCanaryWeight: null, target: workload() }), policy(), t0);
    assert.equal(d.state.phase, 'Ready');
    assert.equal(d.state.lastPromotedRevision, 'rev-a');
    assert.deepEqual(kinds(d), ['route:0', 'scale:0', 'event:Initialized']);
  });
});

describe('Ready, Succeeded and Failed', () => {
  it('does nothing for the promoted revision', () => {
    const d = decide(state(), observation(), policy(), t0);
    assert.equal(d.state.phase, 'Ready');
    assert.deepEqual(d.actions, []);
  });
  it('repairs a split edited by hand back to the primary', () => {
    const d = decide(state({ phase: 'Succeeded' }), observation({ routedCanaryWeight: 30 }), policy(), t0);
    assert.deepEqual(kinds(d), ['route:0', 'event:DriftRepaired']);
  });
  it('starts a run at weight 0 when a new revision appears, scaling the canary up', () => {
    const d = decide(state(), observation({ targetRevision: 'rev-b' }), policy(), t0);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.revision, 'rev-b');
    assert.equal(d.state.canaryWeight, 0);
    assert.deepEqual(kinds(d), ['scale:2', 'event:NewRevision']);
  });
  it('does not retry a rolled-back revision, and keeps the rollback\'s reason as the message', () => {
    const why = 'revision rev-b rolled back: the canary failed 5% of 1,000 requests';
    const d = decide(state({ phase: 'Failed', revision: 'rev-b', lastFailedRevision: 'rev-b', message: why }), observation({ targetRevision: 'rev-b' }), policy(), t0);
    assert.equal(d.state.phase, 'Failed');
    assert.equal(d.state.message, why);
    const back = decide(state({ phase: 'Succeeded', revision: 'rev-c', lastFailedRevision: 'rev-b' }), observation({ targetRevision: 'rev-b' }), policy(), t0);
    assert.match(back.state.message, /revision rev-b was rolled back earlier; change it or run `fledge retry`/);
    assert.deepEqual(d.actions, []);
  });
  it('starts a run when a failed revision is changed again', () => {
    const d = decide(state({ phase: 'Failed', revision: 'rev-b', lastFailedRevision: 'rev-b' }), observation({ targetRevision: 'rev-c' }), policy(), t0);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.revision, 'rev-c');
  });
  it('covers for a primary that lost its pods with the target at the promoted revision, then hands traffic back', () => {
    const lost = observation({ primary: workload({ readyReplicas: 0, rolledOut: false }) });
    const scale = decide(state(), lost, policy(), t0);
    assert.deepEqual(kinds(scale), ['scale:2']);
    const route = decide(state(), { ...lost, target: workload() }, policy(), t0);
    assert.deepEqual(kinds(route), ['route:100', 'event:DriftRepaired']);
    const notYet = decide(state(), { ...lost, target: workload({ readyReplicas: 0, rolledOut: false }) }, policy(), t0);
    assert.deepEqual(notYet.actions, [], 'no traffic to a target without ready pods');
    const back = decide(state(), observation({ target: workload(), routedCanaryWeight: 100 }), policy(), t0);
    assert.deepEqual(kinds(back), ['route:0', 'scale:0', 'event:DriftRepaired']);
  });
  it('starts no run and moves no traffic while the primary is not ready', () => {
    const d = decide(state(), observation({ targetRevision: 'rev-b', primary: workload({ readyReplicas: 0 }), routedCanaryWeight: 20 }), policy(), t0);
    assert.equal(d.state.phase, 'Ready');
    assert.deepEqual(d.actions, []);
  });
});

describe('Progressing: waiting for the canary', () => {
  it('moves no traffic while the canary is not ready', () => {
    const d = decide(running(-1), runObservation(0, { target: workload({ readyReplicas: 1 }) }), policy(), t0 + 10 * second);
    assert.equal(d.state.phase, 'Progressing');
    assert.deepEqual(routes(d), []);
  });
  it('takes traffic off a canary that lost its ready replicas', () => {
    const d = decide(running(1), runObservation(20, { target: workload({ readyReplicas: 0 }) }), policy(), t0 + 10 * second);
    assert.deepEqual(kinds(d), ['route:0']);
    assert.equal(d.state.canaryWeight, 0);
  });
  it('rolls back a canary whose Deployment reports ProgressDeadlineExceeded, traffic first', () => {
    const d = decide(running(-1), runObservation(0, { target: workload({ readyReplicas: 0, stalled: true }) }), policy(), t0 + 10 * second);
    assert.equal(d.state.phase, 'Failed');
    assert.equal(d.state.lastFailedRevision, 'rev-b');
    assert.deepEqual(kinds(d), ['route:0', 'scale:0', 'event:ProgressDeadlineExceeded']);
  });
  it('rolls back a canary still unready past the progress deadline', () => {
    const d = decide(running(-1), runObservation(0, { target: workload({ readyReplicas: 0 }) }), policy(), t0 + 11 * minute);
    assert.equal(d.state.phase, 'Failed');
  });
  it('sends the first step\'s weight once the canary is ready', () => {
    const d = decide(running(-1), runObservation(0), policy(), t0);
    assert.equal(d.state.step, 0);
    assert.equal(d.state.canaryWeight, 10);
    assert.equal(d.state.analyzedUntil, t0);
    assert.deepEqual(kinds(d), ['route:10', 'event:StepAdvanced']);
  });
  it('moves no traffic outside the deployment window', () => {
    // Weekdays 09:00-17:59 Berlin; t0 + 12h is 23:00 Berlin.
    const window = { cron: '* 9-17 * * 1-5', timezone: 'Europe/Berlin' };
    const d = decide(running(-1), runObservation(0), policy({ window }), t0 + 12 * 60 * minute);
    assert.equal(d.state.phase, 'Paused');
    assert.equal(d.state.pausedBy, 'window');
    assert.deepEqual(routes(d), []);
    // The window opens in 10 hours: it looks again within the hour, writing nothing meanwhile.
    assert.equal(d.requeueAfterMs, maxRequeueMs);
    const again = decide(d.state, runObservation(0), policy({ window }), t0 + 12 * 60 * minute + maxRequeueMs);
    assert.deepEqual(again.state, d.state, 'a second look outside the window changes nothing (no status write)');
    assert.deepEqual(again.actions, []);
  });
  it('holds without error and looks again within the hour when a window never opens', () => {
    // Validation refuses such a window; a Canary written by an older version may still carry one.
    const window = { cron: '0 0 30 2 *', timezone: 'UTC' };
    const d = decide(running(-1), runObservation(0), policy({ window }), t0);
    assert.equal(d.state.pausedBy, 'window');
    assert.deepEqual(routes(d), []);
    assert.equal(d.requeueAfterMs, maxRequeueMs);
  });
  it('looks again when a window a few minutes away opens', () => {
    const window = { cron: '0 23 * * *', timezone: 'Europe/Berlin' };
    // t0 + 12h is 23:00 Berlin; five minutes before, the next look is at the opening.
    const d = decide(running(-1), runObservation(0), policy({ window }), t0 + 12 * 60 * minute - 5 * minute);
    assert.equal(d.state.pausedBy, 'window');
    assert.equal(d.requeueAfterMs, 5 * minute);
  });
  it('moves traffic inside the deployment window', () => {
    const window = { cron: '* 9-17 * * 1-5', timezone: 'Europe/Berlin' };
    const d = decide(running(-1), runObservation(0), policy({ window }), t0);
    assert.deepEqual(kinds(d), ['route:10', 'event:StepAdvanced']);
  });
  it('resumes when the window opens', () => {
    const window = { cron: '* 9-17 * * 1-5', timezone: 'Europe/Berlin' };
    const d = decide(running(1, { phase: 'Paused', pausedBy: 'window' }), runObservation(20), policy({ window }), t0);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.step, 2);
  });
});

describe('Progressing: judging steps', () => {
  it('does nothing before an interval\'s data is complete', () => {
    const d = decide(running(0), runObservation(10, { interval: null }), policy(), t0 + minute + 10 * second);
    assert.deepEqual(d.actions, []);
    assert.equal(d.requeueAfterMs, 20 * second);
  });
  it('ignores a measurement of another interval than the one due', () => {
    const d = decide(running(0), runObservation(10, { interval: interval(t0, t0 + 2 * minute, value(5, 5)) }), policy(), firstDue);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.analyzedUntil, t0);
  });
  it('advances to the next step after a healthy, baked interval', () => {
    const d = decide(running(0), runObservation(10, { interval: healthy }), policy(), firstDue);
    assert.equal(d.state.step, 1);
    assert.equal(d.state.canaryWeight, 20);
    assert.equal(d.state.analyzedUntil, t0 + minute);
    assert.deepEqual(kinds(d), ['route:20', 'event:StepAdvanced']);
  });
  it('stays at the step until the bake time is over', () => {
    const d = decide(running(0), runObservation(10, { interval: healthy }), policy({ bakeMs: 5 * minute }), firstDue);
    assert.equal(d.state.step, 0);
    assert.deepEqual(routes(d), []);
  });
  it('promotes after the last step: the primary gets the canary\'s spec', () => {
    const d = decide(running(4), runObservation(50, { interval: healthy }), policy(), firstDue);
    assert.equal(d.state.phase, 'Promoting');
    assert.deepEqual(kinds(d), ['promote-primary', 'event:Promoting']);
  });
  it('rolls back at once when the canary fails catastrophically, traffic first', () => {
    const bad = interval(t0, t0 + minute, value(100, 60), value(900, 1));
    const d = decide(running(0), runObservation(10, { interval: bad }), policy(), firstDue);
    assert.equal(d.state.phase, 'Failed');
    assert.deepEqual(kinds(d), ['route:0', 'scale:0', 'event:RolledBack']);
  });
  it('pauses on a Prometheus error and never fails a check or advances for it', () => {
    const broken = interval(t0, t0 + minute, { kind: 'error', message: 'connection refused' });
    let s = running(0);
    for (let i = 0; i < 20; i += 1) {
      const now = firstDue + i * minute;
      const end = t0 + (i + 1) * minute;
      const d = decide(s, runObservation(10, { interval: { ...broken, start: s.analyzedUntil ?? t0, end } }), policy(), now);
      assert.equal(d.state.phase, 'Paused');
      assert.equal(d.state.pausedBy, 'metrics-unavailable');
      assert.equal(d.state.step, 0);
      assert.deepEqual(routes(d), []);
      s = d.state;
    }
  });
  it('resumes after Prometheus recovers', () => {
    const s = running(0, { phase: 'Paused', pausedBy: 'metrics-unavailable', stepStartedAt: t0 - 5 * minute });
    const d = decide(s, runObservation(10, { interval: healthy }), policy({ bakeMs: 10 * minute }), firstDue);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.pausedBy, null);
    assert.deepEqual(kinds(d), ['event:Resumed']);
  });
  it('pauses after 3 intervals without canary data, and rolls back at the progress deadline', () => {
    let s = running(0);
    const phases: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const iv = interval(s.analyzedUntil ?? t0, t0 + (i + 1) * minute, { kind: 'no-data' });
      const d = decide(s, runObservation(10, { interval: iv }), policy(), firstDue + i * minute);
      phases.push(d.state.phase);
      s = d.state;
      if (s.phase === 'Failed') break;
    }
    assert.deepEqual(phases.slice(0, 3), ['Progressing', 'Progressing', 'Paused']);
    assert.equal(s.phase, 'Failed');
    assert.match(s.message, /^revision rev-b rolled back: the canary received no requests for \d+ minutes, past the progress deadline of 10 minutes$/);
  });
  it('restarts at weight 0 when a newer revision appears mid-run', () => {
    const d = decide(running(2), runObservation(30, { targetRevision: 'rev-c' }), policy(), firstDue);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.revision, 'rev-c');
    assert.equal(d.state.step, -1);
    assert.deepEqual(kinds(d), ['event:Superseded', 'route:0', 'event:NewRevision']);
  });
  it('ends the run without failing it when the Deployment goes back to the promoted revision', () => {
    const d = decide(running(2), runObservation(30, { targetRevision: 'rev-a' }), policy(), firstDue);
    assert.equal(d.state.phase, 'Ready');
    assert.equal(d.state.lastFailedRevision, null);
    assert.deepEqual(kinds(d), ['route:0', 'scale:0', 'event:Superseded']);
  });
  it('in evidence mode, does not advance without evidence that the canary is safe', () => {
    const thin = interval(t0, t0 + minute, value(3), value(27));
    const d = decide(running(0), runObservation(10, { interval: thin }), policy({ promotion: 'evidence' }), firstDue);
    assert.equal(d.state.step, 0);
  });
  it('holds all traffic on the ready canary and takes no step while the primary has no ready pods', () => {
    const lost = runObservation(10, { primary: workload({ readyReplicas: 0 }), interval: healthy });
    const d = decide(running(0), lost, policy(), firstDue);
    assert.deepEqual(kinds(d), ['route:100', 'event:DriftRepaired']);
    assert.equal(d.state.step, 0);
    assert.equal(d.state.analyzedUntil, t0, 'nothing is judged meanwhile');
    const held = decide(d.state, { ...lost, routedCanaryWeight: 100 }, policy(), firstDue + second);
    assert.deepEqual(held.actions, []);
  });
  it('restores the step\'s weight after a hand edit of the split', () => {
    const d = decide(running(1), runObservation(70), policy(), t0 + 10 * second);
    assert.deepEqual(kinds(d), ['route:20', 'event:DriftRepaired']);
  });
});

describe('Gates and pauses', () => {
  it('waits at the manual gate after the last step, then promotes on request', () => {
    const gated = decide(running(4), runObservation(50, { interval: healthy }), policy({ manualGate: true }), firstDue);
    assert.equal(gated.state.phase, 'Paused');
    assert.equal(gated.state.pausedBy, 'gate');
    assert.deepEqual(kinds(gated), ['event:WaitingForPromotion']);
    const later = interval(t0 + minute, t0 + 2 * minute, value(1000), value(9000));
    const still = decide(gated.state, runObservation(50, { interval: later }), policy({ manualGate: true }), firstDue + minute);
    assert.equal(still.state.pausedBy, 'gate');
    const promoted = decide(still.state, runObservation(50, { request: { id: 'r1', verb: 'promote' } }), policy({ manualGate: true }), firstDue + minute);
    assert.equal(promoted.state.phase, 'Promoting');
    assert.equal(promoted.state.handledRequest, 'r1');
  });
  it('with the manual strategy, pauses before each step until resumed', () => {
    const p = policy({ pauseBeforeEachStep: true });
    const d = decide(running(-1), runObservation(0), p, t0);
    assert.equal(d.state.pausedBy, 'step-gate');
    assert.deepEqual(routes(d), []);
    const waiting = decide(d.state, runObservation(0), p, t0 + minute);
    assert.deepEqual(waiting.actions, []);
    const resumed = decide(d.state, runObservation(0, { request: { id: 'r2', verb: 'resume' } }), p, t0 + minute);
    assert.equal(resumed.state.step, 0);
    assert.deepEqual(kinds(resumed), ['route:10', 'event:StepAdvanced']);
  });
  it('a person\'s pause holds the step even when analysis passes, and resume continues', () => {
    const paused = decide(running(0), runObservation(10, { request: { id: 'p', verb: 'pause' } }), policy(), t0 + 5 * second);
    assert.equal(paused.state.phase, 'Paused');
    const held = decide(paused.state, runObservation(10, { interval: healthy, request: { id: 'p', verb: 'pause' } }), policy(), firstDue);
    assert.equal(held.state.step, 0);
    assert.equal(held.state.analyzedUntil, t0 + minute, 'keeps measuring while paused');
    const resumed = decide(held.state, runObservation(10, { request: { id: 'q', verb: 'resume' } }), policy(), firstDue + second);
    assert.equal(resumed.state.phase, 'Progressing');
    assert.equal(resumed.state.userPaused, false);
  });
  it('a paused run still rolls back on harm', () => {
    const bad = interval(t0, t0 + minute, value(100, 60), value(900, 1));
    const d = decide(running(0, { phase: 'Paused', pausedBy: 'user', userPaused: true }), runObservation(10, { interval: bad }), policy(), firstDue);
    assert.equal(d.state.phase, 'Failed');
  });
});

describe('Promoting', () => {
  const promoting = running(4, { phase: 'Promoting' });
  it('waits for the primary rollout with traffic where it is', () => {
    const d = decide(promoting, runObservation(50, { primaryRevision: 'rev-b', primary: workload({ rolledOut: false }) }), policy(), firstDue);
    assert.equal(d.state.phase, 'Promoting');
    assert.deepEqual(d.actions, []);
  });
  it('copies the spec again if the primary does not run the revision yet', () => {
    const d = decide(promoting, runObservation(50), policy(), firstDue);
    assert.deepEqual(kinds(d), ['promote-primary']);
  });
  it('waits until the primary has enough replicas for full traffic', () => {
    const d = decide(promoting, runObservation(50, { primaryRevision: 'rev-b', primary: workload({ readyReplicas: 1 }) }), policy(), firstDue);
    assert.equal(d.state.phase, 'Promoting');
  });
  it('routes everything to the primary, then scales the canary to zero', () => {
    const d = decide(promoting, runObservation(50, { primaryRevision: 'rev-b' }), policy(), firstDue);
    assert.equal(d.state.phase, 'Succeeded');
    assert.equal(d.state.lastPromotedRevision, 'rev-b');
    assert.deepEqual(kinds(d), ['route:0', 'scale:0', 'event:Promoted']);
  });
  it('records a promotion that completed before a newer revision arrived', () => {
    const d = decide(promoting, runObservation(50, { primaryRevision: 'rev-b', targetRevision: 'rev-c' }), policy(), firstDue);
    assert.equal(d.state.lastPromotedRevision, 'rev-b');
    assert.equal(d.state.revision, 'rev-c');
  });
  it('can be aborted', () => {
    const d = decide(promoting, runObservation(50, { request: { id: 'a', verb: 'abort' } }), policy(), firstDue);
    assert.equal(d.state.phase, 'Failed');
    assert.deepEqual(kinds(d), ['route:0', 'scale:0', 'event:Aborted']);
  });
});

describe('Requests', () => {
  it('acts on a request once', () => {
    const s = running(0, { handledRequest: 'x' });
    const d = decide(s, runObservation(10, { request: { id: 'x', verb: 'abort' } }), policy(), t0);
    assert.equal(d.state.phase, 'Progressing');
  });
  it('refuses to promote when no release is running, saying why', () => {
    const d = decide(state(), observation({ request: { id: 'p', verb: 'promote' } }), policy(), t0);
    assert.equal(d.state.phase, 'Ready');
    assert.equal(d.state.handledRequest, 'p');
    assert.deepEqual(kinds(d), ['event:RequestRefused']);
    const action = d.actions[0];
    assert.ok(action?.kind === 'event' && /no release is running/.test(action.message));
  });
  it('refuses to promote a canary that is not ready yet', () => {
    const d = decide(running(-1), runObservation(0, { request: { id: 'p', verb: 'promote' } }), policy(), t0);
    assert.deepEqual(kinds(d), ['event:RequestRefused']);
  });
  it('refuses to abort, pause or resume with nothing running', () => {
    for (const verb of ['abort', 'pause', 'resume'] as const) {
      const d = decide(state({ phase: 'Succeeded' }), observation({ request: { id: verb, verb } }), policy(), t0);
      assert.deepEqual(kinds(d), ['event:RequestRefused'], verb);
    }
  });
  it('refuses a second pause and a resume at the promotion gate', () => {
    const paused = running(0, { phase: 'Paused', pausedBy: 'user', userPaused: true });
    assert.deepEqual(kinds(decide(paused, runObservation(10, { request: { id: '1', verb: 'pause' } }), policy(), t0)), ['event:RequestRefused']);
    const gated = running(4, { phase: 'Paused', pausedBy: 'gate' });
    const d = decide(gated, runObservation(50, { request: { id: '2', verb: 'resume' } }), policy(), t0);
    assert.ok(d.actions[0]?.kind === 'event' && /fledge promote/.test(d.actions[0].message));
  });
  it('aborts a running release by rolling it back', () => {
    const d = decide(running(2), runObservation(30, { request: { id: 'a', verb: 'abort' } }), policy(), t0);
    assert.equal(d.state.phase, 'Failed');
    assert.equal(d.state.lastFailedRevision, 'rev-b');
  });
  it('retries a rolled-back revision on request', () => {
    const failed = state({ phase: 'Failed', revision: 'rev-b', lastFailedRevision: 'rev-b' });
    const d = decide(failed, observation({ targetRevision: 'rev-b', request: { id: 'r', verb: 'retry' } }), policy(), t0);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.lastFailedRevision, null);
    assert.deepEqual(kinds(d), ['event:RetryRequested', 'scale:2', 'event:NewRevision']);
  });
  it('refuses to retry when nothing failed', () => {
    const d = decide(state(), observation({ request: { id: 'r', verb: 'retry' } }), policy(), t0);
    assert.deepEqual(kinds(d), ['event:RequestRefused']);
  });
});

describe('counts read from Prometheus', () => {
  it('are deflated by the scrape interval increase() extrapolates over, before judging', async () => {
    const { deflated } = await import('../../src/core/progress.ts');
    // 60 s window read with one 15 s scrape before it (metrics lag 30 s): the 75 s range held
    // 60 s of scrapes, which increase() scaled by 5/4.
    const measured = interval(t0, t0 + minute, value(400, 40, 4), { kind: 'no-data' });
    const d = deflated(measured, policy());
    assert.deepEqual(d.canary, { kind: 'value', counts: { requests: 320, events: { failures: 32, slow: 3.2 } } });
    assert.deepEqual(d.primary, { kind: 'no-data' });
  });

  it('are deflated by the same rule for a 30 s look: its 45 s range held 30 s of scrapes', async () => {
    const { deflated } = await import('../../src/core/progress.ts');
    const measured = interval(t0, t0 + 30 * second, value(300, 30, 3), value(3000, 3, 0));
    const d = deflated(measured, policy({ lookMs: 30 * second }));
    assert.deepEqual(d.canary, { kind: 'value', counts: { requests: 200, events: { failures: 20, slow: 2 } } });
    assert.deepEqual(d.primary, { kind: 'value', counts: { requests: 2000, events: { failures: 2, slow: 0 } } });
  });
});

describe('autoscaled apps (an HPA sizes the app)', () => {
  it('starts a run by scaling the canary from zero to the size the HPA gives the primary', () => {
    const d = decide(state(), observation({ targetRevision: 'rev-b', desiredReplicas: 6, autoscaled: true }), policy(), t0);
    assert.deepEqual(kinds(d), ['scale:6', 'event:NewRevision']);
    assert.match((d.actions.at(-1) as { message: string }).message, /scaling the canary to 6 replicas \(the size its HPA gives the primary/);
  });
  it('leaves a running canary\'s size to the HPA while it gets ready, where an unscaled one is scaled back up', () => {
    const shrunk = { target: workload({ replicas: 2, readyReplicas: 1 }), desiredReplicas: 6 };
    assert.deepEqual(kinds(decide(running(-1), runObservation(0, { ...shrunk, autoscaled: true }), policy(), t0 + 10 * second)), []);
    assert.deepEqual(kinds(decide(running(-1), runObservation(0, shrunk), policy(), t0 + 10 * second)), ['scale:6']);
  });
  it('scales an autoscaled canary at zero back up during a run', () => {
    const d = decide(running(-1), runObservation(0, { target: workload({ replicas: 0, readyReplicas: 0 }), desiredReplicas: 6, autoscaled: true }), policy(), t0 + 10 * second);
    assert.deepEqual(kinds(d), ['scale:6']);
  });
  it('does not resize a superseding run\'s canary that the HPA already runs', () => {
    const d = decide(running(1), runObservation(20, { targetRevision: 'rev-c', target: workload({ replicas: 2 }), desiredReplicas: 6, autoscaled: true }), policy(), t0);
    assert.ok(!kinds(d).some((k) => k.startsWith('scale:')), kinds(d).join(' '));
  });
});

describe('autoscaled apps: a canary its HPA is growing', () => {
  it('keeps the step\'s traffic while the HPA adds pods that are not ready yet', () => {
    const growing = { target: workload({ replicas: 4, readyReplicas: 2 }), autoscaled: true };
    const d = decide(running(1), runObservation(20, growing), policy(), t0 + 10 * second);
    assert.ok(!kinds(d).includes('route:0'), kinds(d).join(' '));
    const fixed = decide(running(1), runObservation(20, { target: workload({ replicas: 4, readyReplicas: 2 }) }), policy(), t0 + 10 * second);
    assert.deepEqual(kinds(fixed), ['route:0'], 'without an HPA, missing pods are lost capacity');
  });
  it('still waits for the whole canary before the first step', () => {
    const d = decide(running(-1), runObservation(0, { target: workload({ replicas: 4, readyReplicas: 2 }), autoscaled: true }), policy(), t0 + 10 * second);
    assert.equal(d.state.step, -1);
    assert.deepEqual(routes(d), []);
  });
});
