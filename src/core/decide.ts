// The release state machine (DESIGN.md §2): one pure function from what is known to what to do.
import { runWithHooks, withHookCalls } from './hook-run.ts';
import { handleRequest } from './requests.ts';
import { pollMs } from './schedule.ts';
import { abandonRun, canaryShort, event, inRun, startRun, stayIdle, toPrimary } from './transitions.ts';
import type { CanaryState, Decision, Observation } from './state.ts';
import type { ReleasePolicy } from './types.ts';

interface Input {
  readonly state: CanaryState;
  readonly observation: Observation;
  readonly policy: ReleasePolicy;
  readonly now: number;
}

function primaryReady(observation: Observation, atLeast = 1): boolean {
  const { primary } = observation;
  return primary !== null && primary.rolledOut && primary.readyReplicas >= Math.max(1, atLeast);
}

/** Bootstrap: once the primary serves, route everything to it and scale the target to zero. */
function initialize({ state, observation, policy }: Input): Decision {
  if (!primaryReady(observation)) {
    return { state: { ...state, message: 'waiting for the primary to become ready' }, actions: [], requeueAfterMs: pollMs(policy) };
  }
  const revision = observation.primaryRevision ?? observation.targetRevision;
  return {
    state: { ...state, phase: 'Ready', revision, lastPromotedRevision: revision, canaryWeight: 0, message: `primary serves revision ${revision}` },
    actions: [...toPrimary(observation), event('Initialized', `primary ready with revision ${revision}; all traffic on the primary`)],
    requeueAfterMs: null,
  };
}

/**
 * The primary lost its capacity outside a release (deleted, crashed). When the target runs the
 * promoted revision it can serve instead: scale it up and, once ready, route to it. When the
 * primary is back, the idle shape (all on the primary, target at zero) returns.
 */
function coverForPrimary({ state, observation, policy }: Input): Decision {
  const wait = { state, actions: [], requeueAfterMs: pollMs(policy) };
  if (observation.targetRevision !== state.lastPromotedRevision) return wait;
  const { target } = observation;
  if (canaryShort(observation)) return { ...wait, actions: [{ kind: 'scale-target', replicas: observation.desiredReplicas }] };
  if (!target.rolledOut || target.readyReplicas === 0 || observation.routedCanaryWeight === 100) return wait;
  const message = 'the primary has no ready pods: the Deployment, at the promoted revision, serves until it is back';
  return { ...wait, actions: [{ kind: 'route', canaryWeight: 100 }, event('DriftRepaired', message, 'Warning')] };
}

/** Ready, Succeeded, Failed: start a run for a new revision, otherwise hold the idle shape. */
function idle(input: Input): Decision {
  const { state, observation } = input;
  const revision = observation.targetRevision;
  if (!primaryReady(observation)) return coverForPrimary(input);
  if (revision === state.lastPromotedRevision) return stayIdle(state, observation);
  if (revision === state.lastFailedRevision) {
    // The rollback's own sentence says why; it stays the message while the revision stays.
    if (state.phase === 'Failed' && state.revision === revision) return stayIdle(state, observation);
    const message = `revision ${revision} was rolled back earlier; change it or run \`fledge retry\``;
    return stayIdle({ ...state, message }, observation);
  }
  return startRun(input);
}

/** The primary rolls out the new spec; then traffic moves to it and the canary scales down. */
function promoting(input: Input): Decision {
  const { state, observation, policy } = input;
  const revision = state.revision ?? '';
  const rolledOut = observation.primaryRevision === revision && primaryReady(observation, observation.desiredReplicas);
  if (!rolledOut) {
    // The message stays the promotion's reason ("promoting revision …: why") while the primary rolls out.
    const actions = observation.primaryRevision === revision ? [] : [{ kind: 'promote-primary', revision } as const];
    return { state, actions, requeueAfterMs: pollMs(policy) };
  }
  const message = promotedMessage(state.message, revision);
  return {
    state: { ...state, phase: 'Succeeded', lastPromotedRevision: revision, canaryWeight: 0, step: -1, message },
    actions: [...toPrimary(observation), event('Promoted', message)],
    requeueAfterMs: null,
  };
}

/** "revision R promoted: why", keeping the reason the promotion began with. */
function promotedMessage(promoting: string, revision: string): string {
  const prefix = `promoting revision ${revision}: `;
  return promoting.startsWith(prefix) ? `revision ${revision} promoted: ${promoting.slice(prefix.length)}` : `revision ${revision} promoted`;
}

/** A newer revision replaced the one in flight: restart at weight 0. */
function supersede(input: Input): Decision {
  const { state, observation } = input;
  const promotedMeanwhile = state.phase === 'Promoting' && observation.primaryRevision === state.revision;
  const restarted = startRun({
    ...input,
    state: { ...state, lastPromotedRevision: promotedMeanwhile ? state.revision : state.lastPromotedRevision },
  });
  const message = `revision ${state.revision ?? ''} superseded by ${observation.targetRevision}: restarting at weight 0`;
  return { ...restarted, actions: [event('Superseded', message), ...restarted.actions] };
}

function byPhase(input: Input): Decision {
  const { state, observation } = input;
  if (inRun(state) && observation.targetRevision !== state.revision) {
    if (observation.targetRevision === state.lastPromotedRevision) return abandonRun(state, observation);
    return supersede(input);
  }
  switch (state.phase) {
    case 'Initializing':
      return initialize(input);
    case 'Progressing':
    case 'Paused':
      return runWithHooks(input);
    case 'Promoting':
      return promoting(input);
    default:
      return idle(input);
  }
}

/** The longest a decision waits before looking again: far-off windows are re-checked, timers stay small. */
export const maxRequeueMs = 60 * 60_000;

/** Stamps when a pause began (kept while its cause stays) and bounds the requeue delay. */
function finished(before: CanaryState, decision: Decision, now: number): Decision {
  const { state } = decision;
  const same = state.pausedBy === before.pausedBy && before.pausedAt !== null;
  const pausedAt = state.pausedBy === null ? null : same ? before.pausedAt : now;
  const requeue = decision.requeueAfterMs;
  return { ...decision, state: { ...state, pausedAt }, requeueAfterMs: requeue === null ? null : Math.min(maxRequeueMs, requeue) };
}

function decideOnce(input: Input): Decision {
  const { state, observation } = input;
  const request = observation.request;
  if (request === null || request.id === state.handledRequest) return byPhase(input);
  const outcome = handleRequest(input, request);
  if (outcome.kind === 'decided') return outcome.decision;
  return byPhase({ ...input, state: outcome.state });
}

/**
 * Decides the next state, the actions (in order) and when to look again (at most
 * maxRequeueMs). Pure: the same inputs always give the same decision. A request a person
 * made is acted on once.
 */
export function decide(state: CanaryState, observation: Observation, policy: ReleasePolicy, now: number): Decision {
  const input = { state, observation, policy, now };
  return finished(state, withHookCalls(decideOnce(input), input), now);
}
