// The state changes every phase shares: start a run, roll back, promote, idle.
// Each returns a Decision whose actions respect the cut-over rule: traffic leaves the
// canary before the canary loses capacity, and weights always sum to 100.
import { emptyEvidence } from './judge/index.ts';
import { pollMs } from './schedule.ts';
import type { Action, CanaryState, Decision, EventReason, HookProgress, Observation } from './state.ts';
import type { ReleasePolicy } from './types.ts';

export function event(reason: EventReason, message: string, severity: 'Normal' | 'Warning' = 'Normal'): Action {
  return { kind: 'event', severity, reason, message };
}

/** A run is in flight: a revision is being released (stepping, paused or promoting). */
export function inRun(state: CanaryState): boolean {
  return state.phase === 'Progressing' || state.phase === 'Paused' || state.phase === 'Promoting';
}

/** A run's hook progress before any hook answered (see hooks.ts). */
export function noHookProgress(): HookProgress {
  return {
    preRolloutPassed: false,
    confirmed: false,
    confirmPolls: 0,
    confirmNextAt: null,
    rolloutCalledFor: null,
    rolloutCountedTo: null,
    rolloutFailures: 0,
    lastFailure: null,
  };
}

/** The state before Fledge has done anything for this Deployment. */
export function initialState(): CanaryState {
  return {
    phase: 'Initializing',
    revision: null,
    lastPromotedRevision: null,
    lastFailedRevision: null,
    canaryWeight: 0,
    step: -1,
    runStartedAt: null,
    stepStartedAt: null,
    analyzedUntil: null,
    progressAt: null,
    pausedBy: null,
    pausedAt: null,
    userPaused: false,
    evidence: null,
    handledRequest: null,
    message: 'waiting for the primary to become ready',
    hooks: noHookProgress(),
  };
}

/** Routing and scale that put everything on the primary; only what differs is acted on. */
export function toPrimary(observation: Observation): Action[] {
  const actions: Action[] = [];
  if (observation.routedCanaryWeight !== 0) actions.push({ kind: 'route', canaryWeight: 0 });
  if (observation.target.replicas !== 0) actions.push({ kind: 'scale-target', replicas: 0 });
  return actions;
}

/**
 * The canary needs scaling up: below full size or, when an HPA sizes it, at zero only (once it
 * runs, its size is the HPA's; scaling it back would fight the HPA).
 */
export function canaryShort(observation: Observation): boolean {
  const { target } = observation;
  return observation.autoscaled === true ? target.replicas === 0 : target.replicas < observation.desiredReplicas;
}

/** A new revision starts a run at weight 0: scale the canary up and wait for it to be ready. */
export function startRun(input: { state: CanaryState; observation: Observation; policy: ReleasePolicy; now: number }): Decision {
  const { state, observation, policy, now } = input;
  const revision = observation.targetRevision;
  const actions: Action[] = [];
  if (observation.routedCanaryWeight !== 0 && observation.routedCanaryWeight !== null) actions.push({ kind: 'route', canaryWeight: 0 });
  const autoscaled = observation.autoscaled === true;
  if (autoscaled ? canaryShort(observation) : observation.target.replicas !== observation.desiredReplicas) {
    actions.push({ kind: 'scale-target', replicas: observation.desiredReplicas });
  }
  const sized = autoscaled ? ' (the size its HPA gives the primary; the HPA scales it from there)' : '';
  actions.push(event('NewRevision', `new revision ${revision}: scaling the canary to ${observation.desiredReplicas} replicas${sized}`));
  return {
    state: {
      ...state,
      phase: 'Progressing',
      revision,
      canaryWeight: 0,
      step: -1,
      runStartedAt: now,
      stepStartedAt: null,
      analyzedUntil: null,
      progressAt: now,
      pausedBy: null,
      evidence: emptyEvidence(policy.judge),
      hooks: noHookProgress(),
      message: `revision ${revision}: waiting for the canary to become ready`,
    },
    actions,
    requeueAfterMs: pollMs(policy),
  };
}

/** Traffic back to the primary first, then the canary to zero. The revision is not retried. */
export function rollBack(state: CanaryState, reason: string, why: EventReason = 'RolledBack'): Decision {
  const revision = state.revision ?? 'unknown';
  return {
    state: {
      ...state,
      phase: 'Failed',
      lastFailedRevision: revision,
      canaryWeight: 0,
      step: -1,
      pausedBy: null,
      userPaused: false,
      message: `revision ${revision} rolled back: ${reason}`,
    },
    actions: [
      { kind: 'route', canaryWeight: 0 },
      { kind: 'scale-target', replicas: 0 },
      event(why, `revision ${revision} rolled back: ${reason}`, 'Warning'),
    ],
    requeueAfterMs: null,
  };
}

/** Copy the canary's spec to the primary; the Promoting phase waits for its rollout. */
export function beginPromotion(state: CanaryState, reason: string, policy: ReleasePolicy): Decision {
  const revision = state.revision ?? 'unknown';
  return {
    state: { ...state, phase: 'Promoting', pausedBy: null, userPaused: false, message: `promoting revision ${revision}: ${reason}` },
    actions: [{ kind: 'promote-primary', revision }, event('Promoting', `promoting revision ${revision}: ${reason}`)],
    requeueAfterMs: pollMs(policy),
  };
}

/** Nothing to do but keep the idle shape: all traffic on the primary, canary at zero. */
export function stayIdle(state: CanaryState, observation: Observation): Decision {
  const routed = observation.routedCanaryWeight;
  const edited = routed !== null && routed !== 0;
  const repair = edited ? [event('DriftRepaired', `the TrafficSplit sent ${routed}% to the canary outside a release: restored 100% to the primary`, 'Warning')] : [];
  return { state, actions: [...toPrimary(observation), ...repair], requeueAfterMs: null };
}

/** The Deployment went back to the promoted revision mid-run: stop the run, nothing failed. */
export function abandonRun(state: CanaryState, observation: Observation): Decision {
  const message = `revision ${state.revision ?? ''} withdrawn: the Deployment is back at the promoted revision ${observation.targetRevision}`;
  return {
    state: { ...state, phase: 'Ready', revision: observation.targetRevision, canaryWeight: 0, step: -1, pausedBy: null, userPaused: false, message },
    actions: [{ kind: 'route', canaryWeight: 0 }, { kind: 'scale-target', replicas: 0 }, event('Superseded', message)],
    requeueAfterMs: null,
  };
}
