// Records each look of a run into the history (see history-types.ts): pure, from the state
// before and after a decision and the interval that was measured. Bounded whatever the look
// frequency: a run keeps at most historyLimits.maxLooks looks, thinned (history-thin.ts).
import { harmBound } from './judge/sequential-verdict.ts';
import { thinLooks } from './history-thin.ts';
import { historyLimits, type History, type Look, type LookSide, type RunHistory } from './history-types.ts';
import { inRun } from './transitions.ts';
import type { CanaryState } from './state.ts';
import type { IntervalMeasurement, ReleasePolicy, Sample } from './types.ts';

export interface LookInput {
  readonly before: CanaryState;
  readonly after: CanaryState;
  /** The interval measured for this decision; null when none was due. */
  readonly interval: IntervalMeasurement | null;
  readonly policy: ReleasePolicy;
  readonly now: number;
}

/** Counts with two decimals (Prometheus extrapolates; more digits say nothing). */
function roundCount(value: number): number {
  return Math.round(value * 100) / 100;
}

/** E-values with three significant digits, finite (a status holds no Infinity). */
export function roundEvidence(value: number): number {
  if (Number.isNaN(value)) return 0;
  // Rounded first: the largest double rounded up would be Infinity again.
  const rounded = Number(value.toPrecision(3));
  return Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, rounded));
}

function sideOf(sample: Sample): LookSide | null {
  if (sample.kind !== 'value') return null;
  const { counts } = sample;
  const events = Object.fromEntries(Object.entries(counts.events).map(([name, n]) => [name, roundCount(n)]));
  return { requests: roundCount(counts.requests), events };
}

function judgedNow(input: LookInput): IntervalMeasurement | null {
  const { interval, before, after } = input;
  if (interval === null || after.analyzedUntil !== interval.end || before.analyzedUntil === interval.end) return null;
  return interval;
}

function changed(before: CanaryState, after: CanaryState): boolean {
  return before.canaryWeight !== after.canaryWeight || before.step !== after.step || before.phase !== after.phase || before.pausedBy !== after.pausedBy;
}

/** The decision's sentence when a pause began or the phase moved (a rollback, promotion, end). */
function noteOf(before: CanaryState, after: CanaryState): string | null {
  const paused = after.pausedBy !== null && after.pausedBy !== before.pausedBy;
  if (!paused && after.phase === before.phase) return null;
  return after.message.slice(0, historyLimits.maxNote);
}

/** The look this decision makes, or null when nothing was judged and nothing changed. */
export function lookOf(input: LookInput): Look | null {
  const { before, after, now } = input;
  const judged = judgedNow(input);
  if (judged === null && !changed(before, after)) return null;
  const evidence = Object.fromEntries((after.evidence?.metrics ?? []).map((m) => [m.name, roundEvidence(m.harm)]));
  return {
    at: judged?.end ?? now,
    weight: after.canaryWeight,
    step: inRun(after) ? after.step + 1 : 0,
    phase: after.phase,
    canary: judged === null ? null : sideOf(judged.canary),
    primary: judged === null ? null : sideOf(judged.primary),
    evidence,
    note: noteOf(before, after),
  };
}

function newRun(revision: string, startedAt: number, policy: ReleasePolicy): RunHistory {
  return {
    revision,
    startedAt,
    endedAt: null,
    outcome: null,
    rollbackAt: policy.judge.kind === 'sequential' ? roundEvidence(harmBound(policy.judge)) : null,
    thinned: 0,
    looks: [],
  };
}

function appended(run: RunHistory, look: Look): RunHistory {
  const looks = thinLooks([...run.looks, look], historyLimits.maxLooks);
  return { ...run, looks, thinned: run.thinned + run.looks.length + 1 - looks.length };
}

function ended(run: RunHistory, outcome: string, now: number): RunHistory {
  return { ...run, outcome: run.outcome ?? outcome, endedAt: run.endedAt ?? now };
}

/** The start of a run the history does not hold yet (a new revision, a retry, a superseding one); else null. */
function newStart(current: Pick<RunHistory, 'startedAt' | 'revision'> | null, after: CanaryState, revision: string): number | null {
  const start = inRun(after) ? after.runStartedAt : null;
  if (start === null || (current !== null && current.startedAt === start && current.revision === revision)) return null;
  return start;
}

/**
 * True when recordLook would leave a history whose current run is `current` (its start and
 * revision; null: none) as it is: no run starts or ends and there is no look to add. Lets a
 * caller skip decoding a stored history on the many reconciles that change nothing.
 */
export function leavesHistory(current: Pick<RunHistory, 'startedAt' | 'revision'> | null, input: LookInput): boolean {
  if (newStart(current, input.after, input.after.revision ?? '') !== null) return false;
  if (current === null) return true;
  return lookOf(input) === null && inRun(input.after);
}

/**
 * The history after one decision: a new run opens when one started (the one it replaces
 * becomes the last, `Superseded`), the look is added to the current run, and a run that
 * ended becomes the last finished run. Pure; unchanged when nothing happened.
 */
export function recordLook(history: History, input: LookInput): History {
  const { after, now } = input;
  let { current, last } = history;
  const revision = after.revision ?? '';
  const start = newStart(current, after, revision);
  if (start !== null) {
    if (current !== null) last = ended(current, 'Superseded', now);
    current = newRun(revision, start, input.policy);
  }
  if (current === null) return history;
  const look = lookOf(input);
  if (look !== null) current = appended(current, look);
  if (inRun(after)) return { current, last };
  return { current: null, last: ended(current, after.phase === 'Ready' ? 'Withdrawn' : after.phase, now) };
}
