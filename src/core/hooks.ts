// When a run's hooks are due and what their answers mean (docs/hooks.md). Pure: the HookRunner
// makes the calls in the background; its answers arrive as `observation.hooks` on later looks
// and are folded into `state.hooks`, which the gates read.
import { formatSpan } from './judge/format.ts';
import { pastDeadline, pollMs } from './schedule.ts';
import { event, rollBack } from './transitions.ts';

export { noHookProgress } from './transitions.ts';
import type { Action, CanaryState, Decision, HookProgress, HookResult, Observation } from './state.ts';
import type { HookName, ReleasePolicy } from './types.ts';

interface Input {
  readonly state: CanaryState;
  readonly observation: Observation;
  readonly policy: ReleasePolicy;
  readonly now: number;
}

export function hasHook(policy: ReleasePolicy, hook: HookName): boolean {
  return policy.hooks?.configured.includes(hook) ?? false;
}

/** The outcome of folding the answers that arrived: the new progress, Events, and a reason to roll back. */
export interface Folded {
  readonly hooks: HookProgress;
  readonly actions: readonly Action[];
  readonly failure: string | null;
}

function failed(hook: HookName, result: HookResult): string {
  return `${hook} hook failed: ${result.detail}`;
}

function foldRollout(folded: Folded, result: HookResult, limit: number): Folded {
  const look = Number(result.look);
  const { hooks } = folded;
  if (!Number.isFinite(look) || (hooks.rolloutCountedTo !== null && look <= hooks.rolloutCountedTo)) return folded;
  if (result.ok) return { ...folded, hooks: { ...hooks, rolloutCountedTo: look, rolloutFailures: 0 } };
  const failures = hooks.rolloutFailures + 1;
  const why = `${failed('rollout', result)} (${failures} in a row; ${limit} in a row roll back)`;
  const next = { ...hooks, rolloutCountedTo: look, rolloutFailures: failures, lastFailure: why };
  const actions = [...folded.actions, event('HookFailed', why, 'Warning')];
  return { hooks: next, actions, failure: failures >= limit ? why : folded.failure };
}

function foldConfirm(folded: Folded, result: HookResult, input: Input): Folded {
  const { hooks } = folded;
  if (hooks.confirmed || result.look !== String(hooks.confirmPolls)) return folded;
  if (result.ok) return { ...folded, hooks: { ...hooks, confirmed: true }, actions: [...folded.actions, event('PromotionConfirmed', `confirm-promotion hook answered ${result.detail}`)] };
  const pollEvery = input.policy.hooks?.confirmPollMs ?? pollMs(input.policy);
  const why = `confirm-promotion hook answered ${result.detail}`;
  return { ...folded, hooks: { ...hooks, confirmPolls: hooks.confirmPolls + 1, confirmNextAt: input.now + pollEvery, lastFailure: why } };
}

function foldPreRollout(folded: Folded, result: HookResult): Folded {
  if (folded.hooks.preRolloutPassed || result.look !== '0') return folded;
  if (!result.ok) return { ...folded, hooks: { ...folded.hooks, lastFailure: failed('pre-rollout', result) }, failure: failed('pre-rollout', result) };
  return { ...folded, hooks: { ...folded.hooks, preRolloutPassed: true }, actions: [...folded.actions, event('HookPassed', `pre-rollout hook answered ${result.detail}`)] };
}

/**
 * Folds the answers of this run's hook calls into its progress. Each answer counts once (looks
 * already counted are skipped), so folding the same answers again changes nothing.
 */
export function foldHookResults(input: Input): Folded {
  const results = [...(input.observation.hooks ?? [])].sort((a, b) => Number(a.look) - Number(b.look));
  const limit = input.policy.hooks?.rolloutFailureLimit ?? 1;
  let folded: Folded = { hooks: input.state.hooks, actions: [], failure: null };
  for (const result of results) {
    if (result.hook === 'pre-rollout') folded = foldPreRollout(folded, result);
    if (result.hook === 'confirm-promotion') folded = foldConfirm(folded, result, input);
    if (result.hook === 'rollout') folded = foldRollout(folded, result, limit);
  }
  return folded;
}

/**
 * Before the first step: the pre-rollout hook must have answered 2xx. Until it has, ask it (the
 * runner makes one call per look) and wait; past the progress deadline, roll back. Null: go.
 */
export function preRolloutHold(input: Input): Decision | null {
  const { state, policy, now } = input;
  if (!hasHook(policy, 'pre-rollout') || state.hooks.preRolloutPassed) return null;
  if (pastDeadline(state, policy, now)) return rollBack(state, 'the pre-rollout hook did not answer within the progress deadline', 'HookFailed');
  return {
    state: { ...state, message: `revision ${state.revision ?? ''}: canary ready; waiting for the pre-rollout hook before any traffic moves` },
    actions: [{ kind: 'call-hook', hook: 'pre-rollout', look: '0' }],
    requeueAfterMs: pollMs(policy),
  };
}

/** What holds a run at the promotion gate while the confirm-promotion hook has not said yes. */
export interface ConfirmationHold {
  readonly message: string;
  readonly actions: readonly Action[];
}

/** Before promotion: null when confirmed (or no such hook); else the poll to make and the reason to wait. */
export function confirmationHold(input: Input): ConfirmationHold | null {
  const { state, policy, now } = input;
  if (!hasHook(policy, 'confirm-promotion') || state.hooks.confirmed) return null;
  const { confirmPolls, confirmNextAt, lastFailure } = state.hooks;
  const due = confirmNextAt === null || now >= confirmNextAt;
  const last = confirmPolls === 0 || lastFailure === null ? '' : ` (poll ${confirmPolls + 1}; last: ${lastFailure})`;
  return {
    message: `analysis passed at every step; waiting for the confirm-promotion hook to answer 2xx${last}`,
    actions: due ? [{ kind: 'call-hook', hook: 'confirm-promotion', look: String(confirmPolls) }] : [],
  };
}

/** Waiting for confirmation past its timeout aborts the run; null otherwise. */
export function confirmationTimedOut(input: { state: CanaryState; policy: ReleasePolicy }, held: number): Decision | null {
  const { state, policy } = input;
  const limit = policy.hooks?.confirmTimeoutMs;
  if (state.pausedBy !== 'confirmation' || limit === undefined || held <= limit) return null;
  const last = state.hooks.lastFailure === null ? 'no answer' : state.hooks.lastFailure;
  return rollBack(state, `the confirm-promotion hook did not confirm within ${formatSpan(limit)} (${last})`, 'GateTimedOut');
}
