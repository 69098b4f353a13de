// How `fledge wait` shows progress: a live line on a terminal, one log line per change
// otherwise, JSON lines or YAML documents for machines. Pure text functions; the command decides
// when to print.
import type { CanaryStatus } from '../../adapters/kube/canary-resource.ts';
import { stepText } from '../../ports/canary-status.ts';
import { formatRecord } from '../output.ts';
import type { WaitOutcome } from './outcome.ts';
import { describeOutcome } from './outcome.ts';

export type OutputFormat = 'text' | 'json' | 'yaml';

export interface Progress {
  readonly app: string;
  readonly namespace: string;
  readonly bound: string;
  readonly status: CanaryStatus | undefined;
  /** Weights of the steps (Canary spec.steps); empty when unknown. */
  readonly steps: readonly number[];
  readonly elapsedMs: number;
}

/** `1m05s`, `42s`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return minutes > 0 ? `${minutes}m${rest}s` : `${seconds}s`;
}

/** `[#####-----]`: how far through the steps the run is (by weight). */
export function progressBar(progress: Pick<Progress, 'status' | 'steps'>, width = 20): string {
  const status = progress.status;
  const last = progress.steps.at(-1) ?? 100;
  const weight = status?.phase === 'Succeeded' || status?.phase === 'Promoting' ? last : (status?.canaryWeight ?? 0);
  const filled = last <= 0 ? 0 : Math.max(0, Math.min(width, Math.round((weight / last) * width)));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function ourRun(progress: Progress): CanaryStatus | null {
  return progress.status !== undefined && progress.status.revision === progress.bound ? progress.status : null;
}

/** What changed-detection compares: a new log line is printed when this differs. */
export function progressKey(progress: Progress): string {
  const run = ourRun(progress);
  if (run === null) return `pending:${progress.status?.revision ?? ''}:${progress.status?.phase ?? ''}`;
  return [run.phase, run.step, run.canaryWeight, run.pausedBy ?? '', run.message].join('|');
}

/** "step 2/3", "step -" when no step is in progress (1-based, as kubectl's STEP column). */
function stepLabel(progress: Progress, run: CanaryStatus): string {
  return `step ${stepText(run.step === null ? -1 : run.step - 1, progress.steps.length)}`;
}

function summary(progress: Progress): string {
  const run = ourRun(progress);
  if (run === null) {
    const other = progress.status === undefined ? 'no Canary status yet' : `Canary still on ${progress.status.revision ?? 'no revision'} (${progress.status.phase})`;
    return `waiting for the controller to start revision ${progress.bound}: ${other}`;
  }
  const paused = run.pausedBy === null ? '' : ` (${run.pausedBy})`;
  const reason = run.message === '' ? '' : ` — ${run.message}`;
  return `${run.phase}${paused} ${stepLabel(progress, run)} weight ${run.canaryWeight}%${reason}`;
}

/** One log line (non-TTY), printed when progressKey changes. */
export function logLine(progress: Progress): string {
  return `${progress.namespace}/${progress.app} ${progress.bound} [${formatElapsed(progress.elapsedMs)}] ${summary(progress)}`;
}

/** The live terminal line, redrawn in place; cut to `columns` so it never wraps. */
export function liveLine(progress: Progress, columns = 120): string {
  const line = `${progressBar(progress)} ${formatElapsed(progress.elapsedMs).padStart(6)} ${progress.app} ${summary(progress)}`;
  return line.length <= columns ? line : `${line.slice(0, Math.max(0, columns - 1))}…`;
}

/** Moves the cursor up one line and clears it, so the next line replaces the previous one. */
export const redrawPrefix = '\u001b[1A\u001b[2K';

/** `-o json|yaml`: one record per change and one final `result`. */
export function progressRecord(progress: Progress): object {
  const run = ourRun(progress);
  const fields = run === null
    ? { phase: null, step: null, steps: null, canaryWeight: null, pausedBy: null, message: null }
    : { phase: run.phase, step: run.step, steps: progress.steps.length, canaryWeight: run.canaryWeight, pausedBy: run.pausedBy, message: run.message };
  return {
    type: 'progress',
    namespace: progress.namespace,
    name: progress.app,
    revision: progress.bound,
    elapsedSeconds: Math.floor(progress.elapsedMs / 1000),
    started: run !== null,
    ...fields,
  };
}

export function resultRecord(input: { outcome: WaitOutcome; exitCode: number; elapsedMs: number; app: string; namespace: string }): object {
  const { outcome } = input;
  return {
    type: 'result',
    namespace: input.namespace,
    name: input.app,
    outcome: outcome.kind,
    exitCode: input.exitCode,
    elapsedSeconds: Math.floor(input.elapsedMs / 1000),
    message: describeOutcome(outcome),
    ...(outcome.kind === 'superseded' ? { newerRevision: outcome.newer } : {}),
    ...('revision' in outcome ? { revision: outcome.revision } : {}),
  };
}

/** A JSON line for `--output json`. */
export function jsonProgress(progress: Progress): string {
  return formatRecord(progressRecord(progress), 'json');
}
