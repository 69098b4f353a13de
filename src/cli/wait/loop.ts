// The `fledge wait` loop: bind to a revision, look again and again until an outcome, the
// deadline, or an API outage longer than the retry budget. Time and sleep are injected.
import { isFledgeError } from '../../errors.ts';
import type { CliIo } from '../io.ts';
import { exitCodeOf, outcomeOf, type WaitOutcome } from './outcome.ts';
import { look, type LookDeps, type Seen } from './look.ts';
import { formatRecord } from '../output.ts';
import { liveLine, logLine, progressKey, progressRecord, redrawPrefix, resultRecord, type OutputFormat, type Progress } from './render.ts';
import { describeOutcome } from './outcome.ts';

export interface WaitOptions {
  readonly namespace: string;
  readonly name: string;
  /** A revision to wait for; null binds to the Deployment's revision at the first look. */
  readonly revision: string | null;
  readonly timeoutMs: number;
  readonly untilPaused: boolean;
  readonly output: OutputFormat;
  readonly pollMs: number;
  /** How long the API may stay unreachable before exit 5. */
  readonly retryForMs: number;
}

export interface WaitRuntime {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

interface Session {
  readonly options: WaitOptions;
  readonly deps: LookDeps;
  readonly runtime: WaitRuntime;
  readonly io: CliIo;
  readonly startedAt: number;
  bound: string | null;
  lastKey: string | null;
  drawn: boolean;
  outageSince: number | null;
}

function isBlip(error: unknown): boolean {
  return isFledgeError(error) && error.code === 'FLEDGE_API_UNAVAILABLE';
}

function show(session: Session, progress: Progress): void {
  const { io, options } = session;
  const key = progressKey(progress);
  const changed = key !== session.lastKey;
  session.lastKey = key;
  if (options.output !== 'text') {
    if (changed) io.out(formatRecord(progressRecord(progress), options.output));
  } else if (io.isTty) {
    io.out(`${session.drawn ? redrawPrefix : ''}${liveLine(progress)}`);
    session.drawn = true;
  } else if (changed) {
    io.out(logLine(progress));
  }
}

function finish(session: Session, outcome: WaitOutcome): number {
  const code = exitCodeOf(outcome);
  const { io, options } = session;
  const elapsedMs = session.runtime.now() - session.startedAt;
  if (options.output !== 'text') {
    io.out(formatRecord(resultRecord({ outcome, exitCode: code, elapsedMs, app: options.name, namespace: options.namespace }), options.output));
  } else {
    (code === 0 ? io.out : io.err)(`fledge: ${options.namespace}/${options.name}: ${describeOutcome(outcome)}`);
  }
  return code;
}

/** An outage: reported once, waited out within the budget, then exit 5. */
function onOutage(session: Session, error: unknown): WaitOutcome | null {
  if (!isBlip(error)) throw error;
  const now = session.runtime.now();
  const message = error instanceof Error ? error.message : String(error);
  if (session.outageSince === null) {
    session.outageSince = now;
    session.io.err(`fledge: ${message}; retrying for up to ${Math.round(session.options.retryForMs / 1000)}s`);
  }
  return now - session.outageSince >= session.options.retryForMs ? { kind: 'unreachable', message } : null;
}

/** One look; null while waiting. */
async function step(session: Session): Promise<WaitOutcome | null> {
  const { options, runtime } = session;
  let seen: Seen;
  try {
    seen = await look(session.deps, { namespace: options.namespace, name: options.name });
  } catch (error) {
    return onOutage(session, error);
  }
  if (session.outageSince !== null) session.io.err('fledge: cluster reachable again');
  session.outageSince = null;
  session.bound ??= seen.current;
  const status = seen.canary?.status;
  const progress: Progress = { app: options.name, namespace: options.namespace, bound: session.bound, status, steps: seen.steps, elapsedMs: runtime.now() - session.startedAt };
  show(session, progress);
  const outcome = outcomeOf({ bound: session.bound, current: seen.current, status, requestPending: seen.requestPending, untilPaused: options.untilPaused, generation: seen.generation });
  return outcome.kind === 'waiting' ? null : outcome;
}

/** Runs the wait and resolves to the exit code (DESIGN.md §1). Non-API errors propagate. */
export async function runWait(input: { options: WaitOptions; deps: LookDeps; runtime: WaitRuntime; io: CliIo }): Promise<number> {
  const session: Session = { ...input, startedAt: input.runtime.now(), bound: input.options.revision, lastKey: null, drawn: false, outageSince: null };
  const deadline = session.startedAt + input.options.timeoutMs;
  for (;;) {
    const outcome = await step(session);
    if (outcome !== null) return finish(session, outcome);
    const left = deadline - input.runtime.now();
    if (left <= 0) {
      if (session.outageSince !== null) return finish(session, { kind: 'unreachable', message: 'no answer from the API until the timeout' });
      return finish(session, { kind: 'timeout', revision: session.bound ?? 'unknown' });
    }
    const backoff = session.outageSince === null ? input.options.pollMs : Math.min(4 * input.options.pollMs, 2000);
    await input.runtime.sleep(Math.min(backoff, left));
  }
}
