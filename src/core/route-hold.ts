// A route the implementation has not accepted (Gateway API: no parent reports Accepted and
// ResolvedRefs True for its current generation) has not moved any traffic: the run holds —
// never judged, never advanced — until it is accepted, and rolls back at the progress deadline
// like any run that makes no progress. Once accepted, the step's bake and its analysis start
// afresh, so no interval from before counts.
import { measureFrom, pastDeadline, pollMs } from './schedule.ts';
import { event, rollBack } from './transitions.ts';
import type { Action, CanaryState, Decision, Observation } from './state.ts';
import type { PauseCause, ReleasePolicy } from './types.ts';

interface Input {
  readonly state: CanaryState;
  readonly observation: Observation;
  readonly policy: ReleasePolicy;
  readonly now: number;
}

/** Pauses a person chose or the promotion gate: they stay as they are, accepted route or not. */
const keptCauses: ReadonlySet<PauseCause> = new Set(['user', 'gate', 'step-gate', 'limit', 'confirmation']);

function stepWeightRoute(input: Input): Action[] {
  const { state, observation, policy } = input;
  const weight = state.step < 0 ? 0 : (policy.steps[state.step] ?? 0);
  return observation.routedCanaryWeight === null || observation.routedCanaryWeight === weight ? [] : [{ kind: 'route', canaryWeight: weight }];
}

/**
 * Implementations report on a new generation within moments, and the watch on the route wakes the
 * app before they do: for this long after a write the run waits quietly (no judging, no step, no
 * Event) before it calls the route not accepted.
 */
export const routeAcceptGraceMs = 30_000;

function hold(input: Input, why: string): Decision {
  const { state, policy, now } = input;
  const written = state.stepStartedAt ?? state.runStartedAt ?? now;
  if (state.pausedBy !== 'route' && now - written < routeAcceptGraceMs) {
    return { state: { ...state, message: `waiting for the route to be accepted: ${why}` }, actions: stepWeightRoute(input), requeueAfterMs: pollMs(policy) };
  }
  if (pastDeadline(state, policy, now)) {
    const waited = Math.round((now - (state.progressAt ?? now)) / 1000);
    return rollBack(state, `the route was not accepted within the progress deadline (no progress for ${waited}s): ${why}`, 'ProgressDeadlineExceeded');
  }
  const message = `traffic has not moved: ${why}; holding (no analysis, no step) until the route is accepted`;
  const first = state.pausedBy !== 'route';
  const actions: Action[] = [...stepWeightRoute(input), ...(first ? [event('RouteNotAccepted', message, 'Warning')] : [])];
  return { state: { ...state, phase: 'Paused', pausedBy: 'route', message }, actions, requeueAfterMs: pollMs(policy) };
}

/** The route was accepted: the step's bake and analysis start now. */
function resume(input: Input): Decision {
  const { state, policy, now } = input;
  const message = 'route accepted: traffic moved; the step\'s bake and analysis start now';
  const next: CanaryState = {
    ...state, phase: 'Progressing', pausedBy: null, message,
    progressAt: now,
    ...(state.step >= 0 ? { stepStartedAt: now, analyzedUntil: measureFrom(policy, now) } : {}),
  };
  return { state: next, actions: [event('Resumed', message)], requeueAfterMs: pollMs(policy) };
}

/** The decision while the route is not accepted, or when it just was; null: the run goes on as usual. */
export function routeHold(input: Input): Decision | null {
  const { state, observation } = input;
  if (state.pausedBy !== null && keptCauses.has(state.pausedBy)) return null;
  const why = observation.routeNotAccepted ?? null;
  if (why !== null) return hold(input, why);
  return state.pausedBy === 'route' ? resume(input) : null;
}
