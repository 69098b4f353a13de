// Requests from people (`fledge promote|abort|retry|pause|resume`), each acted on once.
import { spanWords } from './judge/explain.ts';
import { advance } from './progress.ts';
import { measureFrom } from './schedule.ts';
import { beginPromotion, event, rollBack, startRun } from './transitions.ts';
import type { CanaryState, Decision, Observation, UserRequest } from './state.ts';
import type { ReleasePolicy } from './types.ts';

export interface RequestInput {
  readonly state: CanaryState;
  readonly observation: Observation;
  readonly policy: ReleasePolicy;
  readonly now: number;
}

/** The outcome of a request: a decision to return at once, or a state to carry on with. */
export type RequestOutcome = { readonly kind: 'decided'; readonly decision: Decision } | { readonly kind: 'carry-on'; readonly state: CanaryState };

function running(state: CanaryState): boolean {
  return state.phase === 'Progressing' || state.phase === 'Paused';
}

function refuse(state: CanaryState, request: UserRequest, why: string): RequestOutcome {
  return {
    kind: 'decided',
    decision: { state, actions: [event('RequestRefused', `${request.verb} refused: ${why}`, 'Warning')], requeueAfterMs: 0 },
  };
}

/** "at step 2/3 (25% of traffic) after 4 minutes": where the run stood when a person acted. */
function whereInRun({ state, policy, now }: RequestInput): string {
  const at = state.phase === 'Promoting' ? 'while promoting'
    : state.step < 0 ? 'before the first step' : `at step ${state.step + 1}/${policy.steps.length} (${state.canaryWeight}% of traffic)`;
  return state.runStartedAt === null ? at : `${at}, ${spanWords(now - state.runStartedAt)} into the release`;
}

function promote(input: RequestInput, request: UserRequest): RequestOutcome {
  const { state, policy } = input;
  if (!running(state)) return refuse(state, request, `no release is running (phase ${state.phase})`);
  if (state.step < 0) return refuse(state, request, 'the canary is not ready yet');
  return { kind: 'decided', decision: beginPromotion({ ...state, userPaused: false }, `promoted by a person (\`fledge promote\`) ${whereInRun(input)}`, policy) };
}

function abort(input: RequestInput, request: UserRequest): RequestOutcome {
  const { state } = input;
  if (!running(state) && state.phase !== 'Promoting') return refuse(state, request, `no release is running (phase ${state.phase})`);
  return { kind: 'decided', decision: rollBack(state, `aborted by a person (\`fledge abort\`) ${whereInRun(input)}`, 'Aborted') };
}

function retry(input: RequestInput, request: UserRequest): RequestOutcome {
  const { state, observation } = input;
  if (state.phase !== 'Failed' || observation.targetRevision !== state.lastFailedRevision) {
    return refuse(state, request, 'only a rolled-back revision that is still current can be retried');
  }
  const decision = startRun({ ...input, state: { ...state, lastFailedRevision: null } });
  return { kind: 'decided', decision: { ...decision, actions: [event('RetryRequested', `retrying revision ${state.lastFailedRevision}`), ...decision.actions] } };
}

function pauseRun(input: RequestInput, request: UserRequest): RequestOutcome {
  const { state } = input;
  if (!running(state)) return refuse(state, request, `no release is running (phase ${state.phase})`);
  if (state.userPaused) return refuse(state, request, 'already paused');
  const message = 'paused by a person; `fledge resume` continues';
  return {
    kind: 'decided',
    decision: { state: { ...state, phase: 'Paused', pausedBy: 'user', userPaused: true, message }, actions: [event('Paused', message)], requeueAfterMs: 0 },
  };
}

function resume(input: RequestInput, request: UserRequest): RequestOutcome {
  const { state } = input;
  const pausedBy = state.pausedBy;
  if (!running(state) || (pausedBy !== 'user' && pausedBy !== 'step-gate' && pausedBy !== 'limit')) {
    return refuse(state, request, pausedBy === 'gate' ? 'waiting at the promotion gate: use `fledge promote`' : 'nothing is paused by a person');
  }
  const resumed = { ...state, phase: 'Progressing', pausedBy: null, userPaused: false } as const;
  if (pausedBy === 'step-gate') return { kind: 'decided', decision: advance({ ...input, state: resumed }, 'resumed by a person', true) };
  // After the pause limit the step starts over: what was measured while traffic sat on the primary is not judged.
  if (pausedBy === 'limit') {
    const { now, policy } = input;
    return { kind: 'carry-on', state: { ...resumed, analyzedUntil: measureFrom(policy, now), stepStartedAt: now, progressAt: now, message: 'resumed by a person after the pause limit' } };
  }
  return { kind: 'carry-on', state: { ...resumed, message: 'resumed by a person' } };
}

const handlers = { promote, abort, retry, pause: pauseRun, resume } as const;

/** Acts on a request not yet handled; the request id is recorded either way. */
export function handleRequest(input: RequestInput, request: UserRequest): RequestOutcome {
  const outcome = handlers[request.verb](input, request);
  if (outcome.kind === 'carry-on') return { kind: 'carry-on', state: { ...outcome.state, handledRequest: request.id } };
  const { decision } = outcome;
  return { kind: 'decided', decision: { ...decision, state: { ...decision.state, handledRequest: request.id } } };
}
