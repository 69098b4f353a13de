// The record of a release in time (`status.history`): per look, what the router was told, what
// both sides served and how the evidence stood. Plotted by `fledge dashboard` and `fledge report`.
import type { Phase } from './types.ts';

/** What one side served in the look's window; events by name (`failures`, `slow`, …). */
export interface LookSide {
  readonly requests: number;
  readonly events: Readonly<Record<string, number>>;
}

/** One look: a judged interval, or a moment the weight, step, phase or pause changed. */
export interface Look {
  /** When (ms): the judged interval's end, else the time of the decision. */
  readonly at: number;
  /** Percent of requests sent to the canary after this look. */
  readonly weight: number;
  /** 1-based step after this look; 0 before the first step or once the run is over. */
  readonly step: number;
  readonly phase: Phase;
  /** The window's counts; null when no interval was judged or the side had no data. */
  readonly canary: LookSide | null;
  readonly primary: LookSide | null;
  /** Per metric name, the e-value against the canary (harm) after this look. */
  readonly evidence: Readonly<Record<string, number>>;
  /** Why the run paused, was rolled back or ended at this look (the decision's sentence); else null. */
  readonly note: string | null;
}

/** One run of a revision, from its start to its outcome. */
export interface RunHistory {
  readonly revision: string;
  readonly startedAt: number;
  /** When the run ended; null while in flight. */
  readonly endedAt: number | null;
  /** `Succeeded`, `Failed`, `Superseded`, `Withdrawn`; null while in flight. */
  readonly outcome: string | null;
  /** The evidence at which the run is rolled back (M/α); null for judges without one. */
  readonly rollbackAt: number | null;
  /** Looks removed by thinning so far. */
  readonly thinned: number;
  /** Oldest first, at most historyLimits.maxLooks. */
  readonly looks: readonly Look[];
}

/** The current run (null when none is in flight) and the last finished one. */
export interface History {
  readonly current: RunHistory | null;
  readonly last: RunHistory | null;
}

export const historyLimits = {
  /** Looks kept per run. */
  maxLooks: 120,
  /** Characters kept of a look's note. */
  maxNote: 240,
} as const;

export function emptyHistory(): History {
  return { current: null, last: null };
}
