// What `fledge wait` concludes from one look at the world. Pure: the bound revision, the
// Deployment's revision now and the Canary's status in, an outcome out. The loop around it
// owns time (timeouts) and the API (retries).
import type { CanaryStatus } from '../../adapters/kube/canary-resource.ts';
import { ExitCode } from '../io.ts';

export interface WaitLook {
  /** The revision this wait is about (fixed when the wait starts). */
  readonly bound: string;
  /** The Deployment's revision now. */
  readonly current: string;
  /** The Canary's status; undefined while the controller has not written one. */
  readonly status: CanaryStatus | undefined;
  /** A `fledge promote|retry|…` request the controller has not handled yet: status may be stale. */
  readonly requestPending: boolean;
  /** Exit 3 when a person must act (promotion gate, step gate, `fledge pause`). */
  readonly untilPaused: boolean;
  /** The Deployment's generation now: the controller's ConfigValid verdict counts once it has seen it. */
  readonly generation: number;
}

export type WaitOutcome =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'promoted'; readonly revision: string; readonly message: string }
  | { readonly kind: 'failed'; readonly revision: string; readonly message: string }
  | { readonly kind: 'superseded'; readonly revision: string; readonly newer: string }
  | { readonly kind: 'paused'; readonly revision: string; readonly by: string; readonly message: string }
  | { readonly kind: 'timeout'; readonly revision: string }
  /** The controller refuses the release as configured (ConfigValid=False): only a person can fix it. */
  | { readonly kind: 'invalid'; readonly reason: string; readonly message: string }
  | { readonly kind: 'unreachable'; readonly message: string };

/** Pauses that only a person ends; other pauses (window, no data, metrics outage) end by themselves. */
const humanPauses: ReadonlySet<string> = new Set(['user', 'gate', 'step-gate', 'limit']);

function runOfBound(look: WaitLook): CanaryStatus | null {
  const status = look.status;
  return status !== undefined && status.revision === look.bound ? status : null;
}

/** The controller's verdict on the Deployment as it is now, when it refused it. */
function refused(look: WaitLook): WaitOutcome | null {
  const condition = look.status?.conditions.find((c) => c.type === 'ConfigValid');
  if (condition?.status !== 'False' || (look.status?.targetGeneration ?? 0) < look.generation) return null;
  return { kind: 'invalid', reason: condition.reason, message: condition.message };
}

/** The controller's sentence on the promotion, while status still describes that run. */
function promotedMessage(run: CanaryStatus | null): string {
  return run !== null && run.phase === 'Succeeded' ? run.message : '';
}

function settled(look: WaitLook): WaitOutcome | null {
  const status = look.status;
  if (status === undefined) return null;
  const invalid = refused(look);
  if (invalid !== null) return invalid;
  const run = runOfBound(look);
  if (status.lastPromotedRevision === look.bound) return { kind: 'promoted', revision: look.bound, message: promotedMessage(run) };
  if (run !== null && run.phase === 'Failed') return { kind: 'failed', revision: look.bound, message: run.message };
  if (run === null && status.lastFailedRevision === look.bound && look.current === look.bound) {
    return { kind: 'failed', revision: look.bound, message: status.message };
  }
  return null;
}

/**
 * One look. Order matters: an outcome recorded for the bound revision wins over a newer
 * revision (it happened first); a newer revision on the Deployment supersedes a run still
 * going; the previous revision's outcome (status.revision ≠ bound) is never ours.
 */
export function outcomeOf(look: WaitLook): WaitOutcome {
  if (look.requestPending) return look.current === look.bound ? { kind: 'waiting' } : superseded(look);
  const done = settled(look);
  if (done !== null) return done;
  if (look.current !== look.bound) return superseded(look);
  const run = runOfBound(look);
  if (look.untilPaused && run !== null && run.phase === 'Paused' && run.pausedBy !== null && humanPauses.has(run.pausedBy)) {
    return { kind: 'paused', revision: look.bound, by: run.pausedBy, message: run.message };
  }
  return { kind: 'waiting' };
}

function superseded(look: WaitLook): WaitOutcome {
  return { kind: 'superseded', revision: look.bound, newer: look.current };
}

/** DESIGN.md §1 exit codes. */
export function exitCodeOf(outcome: WaitOutcome): number {
  switch (outcome.kind) {
    case 'promoted':
      return ExitCode.ok;
    case 'failed':
    case 'superseded':
      return ExitCode.failed;
    case 'timeout':
      return ExitCode.timeout;
    case 'paused':
      return ExitCode.paused;
    case 'unreachable':
      return ExitCode.unreachable;
    case 'invalid':
      return ExitCode.usage;
    case 'waiting':
      return ExitCode.failed;
  }
}

const suffix = (message: string): string => (message === '' ? '' : `: ${message}`);

/** The controller's own sentence when it names the revision already ("revision R rolled back: why"); else `fallback` + it. */
function sentence(message: string, revision: string, fallback: string): string {
  return message.startsWith(`revision ${revision} `) ? message : `${fallback}${suffix(message)}`;
}

type Describers = { readonly [K in WaitOutcome['kind']]: (outcome: Extract<WaitOutcome, { kind: K }>) => string };

const describers: Describers = {
  promoted: (o) => sentence(o.message, o.revision, `revision ${o.revision} promoted`),
  failed: (o) => sentence(o.message, o.revision, `revision ${o.revision} rolled back`),
  superseded: (o) => `revision ${o.revision} superseded by ${o.newer} before it finished`,
  paused: (o) => `revision ${o.revision} paused for a person (${o.by})${suffix(o.message)}`,
  timeout: (o) => `timed out waiting for revision ${o.revision}`,
  unreachable: (o) => `cluster unreachable: ${o.message}`,
  invalid: (o) => `the controller refuses this release (${o.reason}): ${o.message}`,
  waiting: () => 'still waiting',
};

/** One sentence for people (stderr/log line) about a final outcome. */
export function describeOutcome(outcome: WaitOutcome): string {
  return (describers[outcome.kind] as (o: WaitOutcome) => string)(outcome);
}
