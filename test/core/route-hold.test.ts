// A route its implementation has not accepted moved no traffic: the run holds, never judges and
// never advances, rolls back at the progress deadline, and starts the step afresh once accepted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { measureFrom } from '../../src/core/schedule.ts';
import { decide } from '../../src/core/decide.ts';
import type { Decision } from '../../src/core/state.ts';
import { interval, minute, policy, running, runObservation, second, t0, value } from '../support/builders.ts';

function kinds(decision: Decision): string[] {
  return decision.actions.map((a) => (a.kind === 'event' ? `event:${a.reason}` : a.kind === 'route' ? `route:${a.canaryWeight}` : a.kind === 'scale-target' ? `scale:${a.replicas}` : a.kind));
}

const firstDue = t0 + minute + 30 * second;
const healthy = interval(t0, t0 + minute, value(1000), value(9000));
const bad = interval(t0, t0 + minute, value(100, 60), value(900, 1));
const why = 'HTTPRoute app is not accepted: Service app:80 (linkerd.io/gateway-controller) reports Accepted=False (BackendNotFound): app-canary has no endpoints';

describe('a route not accepted by its implementation', () => {
  it('holds the run with RouteNotAccepted and the parent\'s message, judging nothing, even a healthy baked interval', () => {
    const d = decide(running(0), runObservation(10, { interval: healthy, routeNotAccepted: why }), policy(), firstDue);
    assert.equal(d.state.phase, 'Paused');
    assert.equal(d.state.pausedBy, 'route');
    assert.equal(d.state.step, 0, 'no step taken');
    assert.equal(d.state.analyzedUntil, t0, 'no interval judged');
    assert.match(d.state.message, /traffic has not moved: HTTPRoute app is not accepted: .*app-canary has no endpoints; holding/);
    assert.deepEqual(kinds(d), ['event:RouteNotAccepted']);
  });

  it('does not roll back on a failing interval it cannot attribute to the canary', () => {
    const d = decide(running(0), runObservation(10, { interval: bad, routeNotAccepted: why }), policy(), firstDue);
    assert.equal(d.state.phase, 'Paused');
  });

  it('tells once: a second look while still held adds no Event', () => {
    const held = decide(running(0), runObservation(10, { routeNotAccepted: why }), policy(), firstDue).state;
    const again = decide(held, runObservation(10, { routeNotAccepted: why }), policy(), firstDue + 5 * second);
    assert.deepEqual(kinds(again), []);
    assert.equal(again.state.pausedAt, held.pausedAt);
  });

  it('waits quietly for a moment after a write (implementations report within moments): no judging, no step, no Event', () => {
    const d = decide(running(0, { stepStartedAt: firstDue - 5 * second }), runObservation(10, { interval: healthy, routeNotAccepted: why }), policy(), firstDue);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.pausedBy, null);
    assert.equal(d.state.analyzedUntil, t0, 'no interval judged');
    assert.match(d.state.message, /^waiting for the route to be accepted: /);
    assert.deepEqual(kinds(d), []);
  });

  it('holds before the first step too, moving no traffic', () => {
    const d = decide(running(-1), runObservation(0, { routeNotAccepted: why }), policy(), t0 + 31 * second);
    assert.equal(d.state.pausedBy, 'route');
    assert.equal(d.state.step, -1);
    assert.deepEqual(kinds(d), ['event:RouteNotAccepted']);
  });

  it('rolls back at the progress deadline like any run that makes no progress', () => {
    const d = decide(running(0), runObservation(10, { routeNotAccepted: why }), policy(), t0 + 10 * minute + second);
    assert.equal(d.state.phase, 'Failed');
    assert.match(d.state.message, /route was not accepted within the progress deadline .*: HTTPRoute app is not accepted/);
    assert.deepEqual(kinds(d), ['route:0', 'scale:0', 'event:ProgressDeadlineExceeded']);
  });

  it('resumes once accepted: the step\'s bake and analysis start then, so nothing from before counts', () => {
    const held = decide(running(0), runObservation(10, { routeNotAccepted: why }), policy(), firstDue).state;
    const now = t0 + 3 * minute + 10 * second;
    const d = decide(held, runObservation(10, { routeNotAccepted: null }), policy(), now);
    assert.equal(d.state.phase, 'Progressing');
    assert.equal(d.state.pausedBy, null);
    assert.equal(d.state.stepStartedAt, now);
    assert.equal(d.state.analyzedUntil, measureFrom(policy(), now), 'measuring starts over at the look under way (the judge weighs measured shares, not the weight)');
    assert.ok((d.state.analyzedUntil ?? 0) > t0 + 2 * minute, 'nothing judged before the hold counts');
    assert.deepEqual(kinds(d), ['event:Resumed']);
  });

  it('leaves a person\'s pause alone', () => {
    const d = decide(running(0, { phase: 'Paused', pausedBy: 'user', pausedAt: t0 }), runObservation(10, { routeNotAccepted: why }), policy(), firstDue);
    assert.equal(d.state.pausedBy, 'user');
  });

  it('while held, a route edited away from the step\'s weight is written back (and still held)', () => {
    const d = decide(running(0), runObservation(30, { routeNotAccepted: why }), policy(), firstDue);
    assert.equal(d.state.pausedBy, 'route');
    assert.deepEqual(kinds(d), ['route:10', 'event:RouteNotAccepted']);
  });

  it('accepted before the first step: the run goes on to its first step', () => {
    const held = decide(running(-1), runObservation(0, { routeNotAccepted: why }), policy(), t0 + 31 * second).state;
    const resumed = decide(held, runObservation(0, { routeNotAccepted: null }), policy(), t0 + 32 * second);
    assert.equal(resumed.state.pausedBy, null);
    assert.equal(resumed.state.step, -1);
    const next = decide(resumed.state, runObservation(0), policy(), t0 + 33 * second);
    assert.equal(next.state.step, 0);
  });

  it('an A/B run speaks of checkpoints and requests matching, not of weights', () => {
    const d = decide(running(-1), runObservation(0), policy({ abMatch: 'header:x-beta=1' }), t0 + second);
    assert.equal(d.state.message, 'checkpoint 1/5: requests matching header:x-beta=1 to the canary, all others to the primary');
  });
});
