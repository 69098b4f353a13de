// Summaries of many runs of one policy in one cell.
import type { RunOutcome } from './outcome.ts';
import { wilson } from './random.ts';

export interface CellSummary {
  readonly runs: number;
  readonly rollbacks: number;
  readonly promotions: number;
  readonly undecided: number;
  readonly rollbackRate: number;
  readonly rollbackLow: number;
  readonly rollbackHigh: number;
  /** Minutes from the new revision to the decision, over decided runs (NaN when none). */
  readonly decisionMedianMin: number;
  readonly decisionP90Min: number;
  /** Minutes to rollback, over rolled-back runs. */
  readonly rollbackMedianMin: number;
  /** Median excess canary failures before rollback, over rolled-back runs (NaN when none). */
  readonly excessFailuresRollback: number;
  /** Median excess canary failures up to the decision (or the horizon), over all runs. */
  readonly excessFailuresAll: number;
  /** Median excess slow canary requests up to the decision, over all runs. */
  readonly excessSlowAll: number;
}

/** Quantile by the nearest-rank-with-interpolation rule; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] ?? Number.NaN;
  const b = sorted[high] ?? Number.NaN;
  return a + (b - a) * (position - low);
}

export function summarize(outcomes: readonly RunOutcome[]): CellSummary {
  const decided = outcomes.filter((o) => o.ending !== 'undecided');
  const rolledBack = outcomes.filter((o) => o.ending === 'rollback');
  const rollbacks = rolledBack.length;
  const interval = wilson(rollbacks, outcomes.length);
  const minutes = (list: readonly RunOutcome[]): number[] => list.map((o) => o.decidedAtMs / 60_000);
  return {
    runs: outcomes.length,
    rollbacks,
    promotions: outcomes.filter((o) => o.ending === 'promote').length,
    undecided: outcomes.length - decided.length,
    rollbackRate: outcomes.length === 0 ? Number.NaN : rollbacks / outcomes.length,
    rollbackLow: interval.lower,
    rollbackHigh: interval.upper,
    decisionMedianMin: quantile(minutes(decided), 0.5),
    decisionP90Min: quantile(minutes(decided), 0.9),
    rollbackMedianMin: quantile(minutes(rolledBack), 0.5),
    excessFailuresRollback: quantile(rolledBack.map((o) => o.excessFailures), 0.5),
    excessFailuresAll: quantile(outcomes.map((o) => o.excessFailures), 0.5),
    excessSlowAll: quantile(outcomes.map((o) => o.excessSlow), 0.5),
  };
}
