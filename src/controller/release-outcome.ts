// Which release a reconcile ended, for /metrics: read off the state it committed, never decided
// here. A run ends when the phase moves to Succeeded (promoted) or Failed (rolled back, or
// aborted when a person asked); the reconcile that commits that move reports it once.
import type { Action, CanaryState } from '../core/state.ts';

export type ReleaseOutcome = 'promoted' | 'rolled_back' | 'aborted';
export const releaseOutcomes: readonly ReleaseOutcome[] = ['promoted', 'rolled_back', 'aborted'];

export interface EndedRelease {
  readonly outcome: ReleaseOutcome;
  /** From the start of the run to its end; null when the run's start is unknown. */
  readonly seconds: number | null;
}

function outcomeOf(after: CanaryState, actions: readonly Action[]): ReleaseOutcome | null {
  if (after.phase === 'Succeeded') return 'promoted';
  if (after.phase !== 'Failed') return null;
  return actions.some((a) => a.kind === 'event' && a.reason === 'Aborted') ? 'aborted' : 'rolled_back';
}

/** The release that the move from `before` to `after` ended, or null when none did. */
export function endedRelease(input: { before: CanaryState; after: CanaryState; actions: readonly Action[]; now: number }): EndedRelease | null {
  const { before, after } = input;
  if (before.phase === after.phase) return null;
  const outcome = outcomeOf(after, input.actions);
  if (outcome === null) return null;
  const started = before.runStartedAt ?? after.runStartedAt;
  return { outcome, seconds: started === null ? null : Math.max(0, (input.now - started) / 1000) };
}
