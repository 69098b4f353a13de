// Hooks around a run (docs/hooks.md): answers that arrived are folded in before the run is
// looked at; afterwards the rollout hook is called once per interval while the canary has
// traffic, and an outcome hook is told once the run ends.
import { foldHookResults, hasHook } from './hooks.ts';
import { advance, progressRun, type RunInput } from './progress.ts';
import { gridFloor } from './schedule.ts';
import { inRun, rollBack } from './transitions.ts';
import type { Decision } from './state.ts';

/** One look at a run in flight, with its hooks' answers counted first. */
export function runWithHooks(input: RunInput): Decision {
  const folded = foldHookResults(input);
  const state = { ...input.state, hooks: folded.hooks };
  if (folded.failure !== null) return rollBack(state, folded.failure, 'HookFailed');
  const next = { ...input, state };
  // Confirmed while held at the promotion gate: promote now, not at the next judged interval.
  const confirmed = state.phase === 'Paused' && state.pausedBy === 'confirmation' && state.hooks.confirmed;
  const decision = confirmed ? advance(next, 'promotion confirmed by the confirm-promotion hook') : progressRun(next);
  return { ...decision, actions: [...folded.actions, ...decision.actions] };
}

function earliest(a: number | null, b: number): number {
  return a === null ? b : Math.min(a, b);
}

/**
 * The rollout hook for the interval that is under way (on the wall-clock grid the judge measures
 * on, including the part before the first measured interval), when the canary has traffic and it
 * was not called for that interval yet; the next look is no later than the next interval's start.
 */
function rolloutCall(decision: Decision, input: RunInput): Decision {
  const { policy, now } = input;
  const { state } = decision;
  const carrying = (state.phase === 'Progressing' || state.phase === 'Paused') && state.step >= 0 && state.canaryWeight > 0;
  if (!hasHook(policy, 'rollout') || !carrying || state.analyzedUntil === null) return decision;
  const start = gridFloor(now, policy.intervalMs);
  const requeueAfterMs = earliest(decision.requeueAfterMs, Math.max(0, start + policy.intervalMs - now));
  if (state.hooks.rolloutCalledFor === start) return { ...decision, requeueAfterMs };
  return {
    state: { ...state, hooks: { ...state.hooks, rolloutCalledFor: start } },
    actions: [...decision.actions, { kind: 'call-hook', hook: 'rollout', look: String(start) }],
    requeueAfterMs,
  };
}

/** A run that ended (promoted or rolled back, also by a person) tells its outcome hook once. */
function outcomeNotice(decision: Decision, input: RunInput): Decision {
  if (!inRun(input.state)) return decision;
  const { phase } = decision.state;
  const hook = phase === 'Succeeded' ? 'post-rollout' : phase === 'Failed' ? 'rollback' : null;
  if (hook === null || !hasHook(input.policy, hook)) return decision;
  return { ...decision, actions: [...decision.actions, { kind: 'notify-hook', hook }] };
}

/** The hook calls a decision implies: rollout load per interval, outcome notices at the end. */
export function withHookCalls(decision: Decision, input: RunInput): Decision {
  return outcomeNotice(rolloutCall(decision, input), input);
}
