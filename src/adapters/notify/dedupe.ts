// Reconciles are level-based and may report the same event again; a notice is sent once per
// (namespace/name, revision, reason), and per weight for notices that recur at each step.
import type { ReleaseNotice } from '../../ports.ts';

/** Reasons that can happen once per step of a run: their key includes the canary weight. */
const perStepReasons: ReadonlySet<string> = new Set([
  'StepAdvanced', 'Paused', 'Resumed', 'OutsideWindow', 'MetricsUnavailable', 'NoCanaryData', 'SharedIncident',
]);

/** The dedupe key; also sent to webhook receivers as the notice's `id`. */
export function noticeKey(notice: ReleaseNotice): string {
  const key = `${notice.namespace}/${notice.name}@${notice.revision}:${notice.reason}`;
  return perStepReasons.has(notice.reason) ? `${key}@${notice.canaryWeight}` : key;
}

/** A set that remembers the most recent `limit` entries (oldest forgotten first). */
export class RecentSet {
  readonly #limit: number;
  readonly #seen = new Set<string>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    if (this.#seen.size > this.#limit) {
      const oldest = this.#seen.values().next();
      if (oldest.done !== true) this.#seen.delete(oldest.value);
    }
    return true;
  }
}
