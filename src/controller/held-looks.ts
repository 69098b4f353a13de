// Looks held in memory between status writes. The harm test looks every few scrapes, but a look
// that only adds evidence (same phase, step, weight, pause, hooks and outbox) is not worth a status
// write of its own: at thousands of canaries those writes are the API server's whole write budget.
// Such a status is held here, built on the Canary's resourceVersion, and written with the first
// look that decides something or that is one interval past the stored one. Reconcile reads a held
// status instead of the stored one while the stored one is still the version it was built on;
// any other write (a person's request, another leader) makes the held status stale, and it is
// dropped.
//
// While the controller is behind (look-pace.ts), canaries are judged once per interval, so every
// look would reach an interval past the stored one and be written: 5000 status writes at each
// interval's end, all due at once, ahead of the step advances due with them. Looks are then held
// for up to three intervals (holdSpanMs).
//
// A controller that stops loses at most one interval of held looks (three while it is behind). Its successor measures the
// windows they covered again as one longer window (dueInterval starts at the stored analyzedUntil),
// which the e-process allows: windows never overlap and no evidence is counted twice.
import type { CanaryObject, CanaryStatus, Condition } from '../ports.ts';
import { jsonEqual } from '../core/json-equal.ts';
import type { ReleasePolicy } from '../core/types.ts';

/** Intervals a look may be held while the controller is behind and judges once per interval. */
export const behindHoldIntervals = 3;

/**
 * How far past the stored status looks may be held: one interval, or behindHoldIntervals while
 * looks are paced (policy.paceMs), but always an interval short of the progress deadline. The
 * stored progressAt is what a successor (or this process, once a hold is dropped) checks the
 * deadline against before it has measured again: held longer, a canary briefly unready then would
 * be rolled back for a lack of progress the held looks had seen.
 */
export function holdSpanMs(policy: Pick<ReleasePolicy, 'intervalMs' | 'paceMs' | 'progressDeadlineMs'>): number {
  if (policy.paceMs === undefined) return policy.intervalMs;
  return Math.max(policy.intervalMs, Math.min(behindHoldIntervals * policy.intervalMs, policy.progressDeadlineMs - policy.intervalMs));
}

/** Status fields a look changes without deciding anything. */
const lookFields = ['analyzedUntil', 'evidence', 'message', 'progressAt', 'history'] as const;

function withoutLook(status: CanaryStatus): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...status };
  for (const field of lookFields) delete rest[field];
  // Condition messages repeat the state's message; their status, reason and times must match.
  rest['conditions'] = status.conditions.map((c: Condition) => ({ ...c, message: '' }));
  return rest;
}

/**
 * True when `next` differs from `stored` only by looks (evidence, the window judged, the reason
 * sentence) and its judged windows reach less than `spanMs` (holdSpanMs) past the stored ones: it
 * may be held instead of written.
 */
export function holdable(stored: CanaryStatus | undefined, next: CanaryStatus, spanMs: number): boolean {
  if (stored === undefined || stored.analyzedUntil === null || next.analyzedUntil === null) return false;
  const reach = Date.parse(next.analyzedUntil) - Date.parse(stored.analyzedUntil);
  if (!(reach > 0 && reach < spanMs)) return false;
  return jsonEqual(withoutLook(stored), withoutLook(next));
}

function keyOf(canary: CanaryObject): string {
  return `${canary.metadata.namespace ?? ''}/${canary.metadata.name ?? ''}`;
}

interface Held {
  /** The stored Canary with the status that was not written. */
  readonly canary: CanaryObject;
  /** The status as stored (what a restarted controller would read). */
  readonly stored: CanaryStatus | undefined;
}

export class HeldLooks {
  readonly #held = new Map<string, Held>();

  /** The Canary as this process last judged it: its held status when built on `canary`'s version, else `canary` (a stale hold is dropped). */
  current(canary: CanaryObject): CanaryObject {
    const key = keyOf(canary);
    const held = this.#held.get(key);
    if (held === undefined) return canary;
    if (held.canary.metadata.resourceVersion === canary.metadata.resourceVersion) return held.canary;
    this.#held.delete(key);
    return canary;
  }

  /**
   * Holds `next` (built on `base`, as `current` returned it) instead of writing it when it only
   * adds looks less than `spanMs` (holdSpanMs) past the stored status; false when it must be written.
   */
  hold(base: CanaryObject, next: CanaryObject, spanMs: number): boolean {
    const key = keyOf(base);
    const held = this.#held.get(key);
    const stored = held !== undefined && held.canary === base ? held.stored : base.status;
    if (next.status === undefined || !holdable(stored, next.status, spanMs)) return false;
    this.#held.set(key, { canary: next, stored });
    return true;
  }

  /** Forgets what was held for this Canary (its status was written, or it is gone). */
  drop(namespace: string, name: string): void {
    this.#held.delete(`${namespace}/${name}`);
  }

  /** Forgets everything (leadership lost: the next leader starts from the stored statuses). */
  clear(): void {
    this.#held.clear();
  }

  get size(): number {
    return this.#held.size;
  }
}
