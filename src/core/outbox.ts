// A Canary's outbox: the notices reconciles decided, kept (in status) until every receiver has
// them. Pure bookkeeping: callers pass `now`, the keys delivered so far and how keys are made;
// what had to be dropped comes back as data for the caller to report.

/** One waiting notice. `payload` is opaque here; `queuedAt` in ms. */
export interface OutboxItem<P> {
  /** Idempotency key: the same on every delivery of this notice, different for every other one. */
  readonly key: string;
  readonly queuedAt: number;
  readonly payload: P;
}

export interface OutboxLimits {
  /** Most entries kept; beyond it the oldest are dropped. */
  readonly maxEntries: number;
  /** Entries queued longer ago than this (ms) are dropped. */
  readonly maxAgeMs: number;
}

/** Small enough that a receiver dead for good cannot grow the Canary without limit. */
export const outboxLimits: OutboxLimits = { maxEntries: 20, maxAgeMs: 24 * 60 * 60 * 1000 };

/** `full`: pushed out by newer notices; `expired`: older than maxAgeMs. */
export type OutboxDropReason = 'full' | 'expired';

export interface OutboxDrop<P> {
  readonly item: OutboxItem<P>;
  readonly why: OutboxDropReason;
}

export interface OutboxInput<P> {
  /** The outbox as stored, oldest first. */
  readonly items: readonly OutboxItem<P>[];
  /** Sequence number of the last notice ever queued for this Canary (0: none yet). */
  readonly seq: number;
  /** Notices to queue, in the order they were decided. */
  readonly added: readonly P[];
  /** Keys every receiver has: removed without a warning. */
  readonly delivered: ReadonlySet<string>;
  readonly now: number;
  /** The key of the notice numbered `seq`; must differ for every `seq`. */
  readonly keyOf: (seq: number) => string;
  readonly limits?: OutboxLimits;
}

export interface OutboxUpdate<P> {
  /** Oldest first. */
  readonly items: readonly OutboxItem<P>[];
  readonly seq: number;
  readonly dropped: readonly OutboxDrop<P>[];
}

/**
 * The outbox after removing delivered keys, dropping expired entries, appending `added` (numbered
 * seq+1, seq+2, …) and dropping the oldest beyond the bound. Idempotent when nothing is added.
 */
export function updateOutbox<P>(input: OutboxInput<P>): OutboxUpdate<P> {
  const { maxEntries, maxAgeMs } = input.limits ?? outboxLimits;
  const waiting = input.items.filter((item) => !input.delivered.has(item.key));
  const expired = waiting.filter((item) => input.now - item.queuedAt > maxAgeMs);
  const fresh = input.added.map((payload, i) => ({ key: input.keyOf(input.seq + i + 1), queuedAt: input.now, payload }));
  const live = [...waiting.filter((item) => input.now - item.queuedAt <= maxAgeMs), ...fresh];
  const overflow = Math.max(0, live.length - maxEntries);
  return {
    items: live.slice(overflow),
    seq: input.seq + input.added.length,
    dropped: [
      ...expired.map((item) => ({ item, why: 'expired' as const })),
      ...live.slice(0, overflow).map((item) => ({ item, why: 'full' as const })),
    ],
  };
}
