// Following one release to its end by reading the Canary: promoted (Succeeded with this
// revision as lastPromotedRevision), rolled back (Failed with it as lastFailedRevision), or
// paused (only when the scenario expects a pause; otherwise pauses are passing states).
import { setTimeout as sleep } from 'node:timers/promises';
import type { CanaryObject, CanaryStatus } from './cluster-setup.ts';
import type { Outcome } from './scenarios.ts';

export type Ending = Outcome | 'timed-out';

/** The ending this status shows for a run of `revision`, or null while it goes on. */
export function endingOf(status: CanaryStatus | undefined, revision: string, expect: Outcome): Outcome | null {
  if (status === undefined || status.revision !== revision) return null;
  if (status.phase === 'Succeeded' && status.lastPromotedRevision === revision) return 'promoted';
  if (status.phase === 'Failed' && status.lastFailedRevision === revision) return 'rolled-back';
  if (status.phase === 'Paused' && expect === 'paused') return 'paused';
  return null;
}

export interface FollowOptions {
  readonly read: () => Promise<CanaryObject | null>;
  /** Revision before the release was applied: the run is about the next different one. */
  readonly previousRevision: string | undefined;
  readonly expect: Outcome;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly now?: () => number;
  /** Every status read, for pauses seen and live views. */
  readonly onStatus?: (status: CanaryStatus) => void;
  readonly signal?: AbortSignal;
}

export interface Followed {
  readonly ending: Ending;
  readonly revision: string | null;
}

async function readStatus(read: () => Promise<CanaryObject | null>): Promise<CanaryStatus | undefined> {
  try {
    return (await read())?.status;
  } catch {
    return undefined; // a failed read is retried on the next poll
  }
}

/** Polls the Canary until the release ends or the timeout passes. */
export async function followRelease(options: FollowOptions): Promise<Followed> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let revision: string | null = null;
  const look = (status: CanaryStatus): Outcome | null => {
    options.onStatus?.(status);
    if (status.revision !== undefined && status.revision !== options.previousRevision) revision = status.revision;
    return revision === null ? null : endingOf(status, revision, options.expect);
  };
  while (now() < deadline && options.signal?.aborted !== true) {
    const status = await readStatus(options.read);
    const ending = status === undefined ? null : look(status);
    if (ending !== null) return { ending, revision };
    await sleep(options.pollMs ?? 250);
  }
  return { ending: 'timed-out', revision };
}

/** Polls until the Canary has taken over the app (primary ready, split in place). */
export async function waitInitialized(options: Pick<FollowOptions, 'read' | 'timeoutMs' | 'now' | 'pollMs'>): Promise<CanaryStatus | null> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  while (now() < deadline) {
    const status = await readStatus(options.read);
    if ((status?.phase === 'Ready' || status?.phase === 'Succeeded') && status.revision !== undefined) return status;
    await sleep(options.pollMs ?? 250);
  }
  return null;
}
