// A keyed work queue in the manner of client-go's: a key ("namespace/name") is reconciled by
// at most one worker at a time; a key added while in flight runs once more after; delayed
// keys share one timer; failures back off exponentially per key. Keys added as urgent (outside
// changes: a new revision, a user's request) run before the others (resyncs, due checks, the
// echoes of the controller's own writes), so a resync never queues N apps ahead of a change. Keys
// whose reconcile asked to be back at a time that may move their release on (a step's bake ends)
// come next, ahead of the routine looks due at the same moment.
import type { Clock } from '../ports.ts';
import { TimerHeap } from './timer-heap.ts';
import { Lanes, type Lane } from './queue-lanes.ts';
import { systemClock, systemTimers } from './timers.ts';
import type { Timers } from './timers.ts';

export interface ReconcileOutcome {
  /** Look again after this long at the latest; null = only when something changes. */
  readonly requeueAfterMs: number | null;
  /**
   * When, from now, a run may move the release on (a step's bake ends; at or below 0: it has
   * ended); undefined or null when nothing is scheduled to. A run due then goes ahead of the keys
   * merely due (looks, resyncs); a key still waiting when that time comes is moved ahead too.
   */
  readonly advanceAfterMs?: number | null;
}

export type ReconcileFn = (key: string) => Promise<ReconcileOutcome>;

export interface WorkQueueOptions {
  readonly reconcile: ReconcileFn;
  /** Workers reconciling different keys at once (default 4). */
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** Per-key backoff after failures: base doubling up to cap (defaults 100 ms, 60 s). */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** A reconcile threw: the key is retried with backoff; this is for logs and metrics. */
  readonly onError?: (key: string, error: unknown) => void;
  /** A reconcile finished (either way), with its duration and how long since its key became ready (wait and run), in ms. */
  readonly onDone?: (key: string, durationMs: number, sinceReadyMs: number) => void;
  /** A worker took `key`, which had been ready to run for `waitedMs` (how far behind the queue is). */
  readonly onStart?: (key: string, waitedMs: number) => void;
  /** While true no reconcile starts (a replica that may not act): keys keep their place and the queue looks again every `holdRecheckMs`. */
  readonly holding?: () => boolean;
  /** Default 1000 ms. */
  readonly holdRecheckMs?: number;
}

export class WorkQueue {
  readonly #options: WorkQueueOptions;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #concurrency: number;
  /** Ready keys in their lanes (queue-lanes.ts); `#dirty` holds the keys that want a run (ready or waiting for an in-flight run). */
  readonly #lanes = new Lanes();
  /**
   * When keys move to the advancing lane: the first run due once their step has baked. A key
   * still waiting then (in the ordinary lane, or just come due there) moves ahead.
   */
  readonly #promotions = new TimerHeap();
  /** In-flight keys added as urgent meanwhile: their next run goes to the urgent lane. */
  readonly #pressing = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #delayed = new TimerHeap();
  readonly #failures = new Map<string, number>();
  /** When each dirty key became ready to run (not counting a wait for its own run in flight). */
  readonly #readySince = new Map<string, number>();
  /** When each in-flight key became ready (its wait and its run so far). */
  readonly #runningSince = new Map<string, number>();
  #timer: { handle: unknown; due: number } | null = null;
  /** The timer that looks again while holding. */
  #recheck: unknown = null;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
  }

  /** Keys ready to run and not yet taken by a worker. */
  get depth(): number {
    let waiting = 0;
    for (const key of this.#dirty) if (!this.#inFlight.has(key)) waiting++;
    return waiting;
  }

  /** How long since the oldest key not done yet became ready, waiting or running (0 when none). */
  get oldestPendingMs(): number {
    let oldest = Infinity;
    for (const since of this.#readySince.values()) {
      oldest = since;
      break;
    }
    for (const since of this.#runningSince.values()) oldest = Math.min(oldest, since);
    return oldest === Infinity ? 0 : this.#clock.now() - oldest;
  }

  /** Keys waiting for their delay (addAfter, backoff). */
  get delayed(): number {
    return this.#delayed.size;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Keys waiting in the urgent lane: changes made outside the controller, not acted on yet. */
  get urgent(): number {
    return this.#lanes.size('urgent');
  }

  /** Runs `key` soon. Supersedes a pending addAfter: the run schedules its own follow-up. */
  add(key: string): void {
    if (this.#shuttingDown) return;
    this.#delayed.cancel(key);
    if (this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (!this.#inFlight.has(key)) this.#queue('ready', key);
    this.#pump();
  }

  /** Runs `key` soon, ahead of keys added with add(): for changes made outside the controller. */
  addUrgent(key: string): void {
    if (this.#shuttingDown) return;
    this.#delayed.cancel(key);
    this.#dirty.add(key);
    if (this.#inFlight.has(key)) this.#pressing.add(key);
    else if (!this.#lanes.has('urgent', key)) this.#queue('urgent', key);
    this.#pump();
  }

  /** Runs `key` after `ms`; when it is already waiting, the earlier time wins. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    this.#delayed.schedule(key, this.#clock.now() + ms);
    this.#arm();
  }

  /** Like add(), in the lane ahead of the merely due keys. */
  #addAdvancing(key: string): void {
    if (this.#shuttingDown) return;
    this.#delayed.cancel(key);
    this.#dirty.add(key);
    if (!this.#inFlight.has(key) && !this.#lanes.has('urgent', key) && !this.#lanes.has('advancing', key)) this.#queue('advancing', key);
    this.#pump();
  }

  /** Runs `key` after its backoff: base × 2^failures, capped; each call counts a failure. */
  addRateLimited(key: string): void {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    this.addAfter(key, this.backoffOf(failures));
  }

  /** The delay addRateLimited would use after `failures` earlier failures. */
  backoffOf(failures: number): number {
    const base = this.#options.backoffBaseMs ?? 100;
    const cap = this.#options.backoffCapMs ?? 60_000;
    return Math.min(cap, base * 2 ** Math.min(failures, 52));
  }

  /** Forgets the failures of `key` (after a success). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Stops taking work, drops waiting keys and resolves when in-flight reconciles have finished. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    if (this.#timer !== null) this.#timers.clear(this.#timer.handle);
    this.#timer = null;
    if (this.#recheck !== null) this.#timers.clear(this.#recheck);
    this.#recheck = null;
    this.#delayed.clear();
    this.#lanes.clear();
    this.#promotions.clear();
    this.#pressing.clear();
    this.#dirty.clear();
    this.#readySince.clear();
    await Promise.all([...this.#inFlight.values()]);
  }

  /** Puts `key` at the end of `lane`, remembering since when it has been ready (the first time counts). */
  #queue(lane: Lane, key: string): void {
    this.#lanes.push(lane, key);
    if (!this.#readySince.has(key)) this.#readySince.set(key, this.#clock.now());
  }

  /** True while the queue holds its keys; it then looks again once after holdRecheckMs. */
  #held(): boolean {
    if (this.#options.holding?.() !== true) return false;
    this.#recheck ??= this.#timers.set(() => {
      this.#recheck = null;
      this.#pump();
    }, this.#options.holdRecheckMs ?? 1_000);
    return true;
  }

  #pump(): void {
    if (this.#held()) return;
    while (!this.#shuttingDown && this.#inFlight.size < this.#concurrency) {
      const key = this.#next();
      if (key === undefined) return;
      this.#dirty.delete(key);
      const since = this.#readySince.get(key);
      this.#readySince.delete(key);
      const now = this.#clock.now();
      if (since !== undefined) this.#options.onStart?.(key, now - since);
      this.#inFlight.set(key, this.#run(key, since ?? now));
    }
  }

  /** The next key to run (queue-lanes.ts); entries whose key has run since are dropped. */
  #next(): string | undefined {
    for (;;) {
      const key = this.#lanes.take();
      if (key === undefined) return undefined;
      if (this.#dirty.has(key) && !this.#inFlight.has(key)) return key;
    }
  }

  async #run(key: string, ready: number): Promise<void> {
    const started = this.#clock.now();
    this.#runningSince.set(key, ready);
    let outcome: ReconcileOutcome | null = null;
    try {
      outcome = await this.#options.reconcile(key);
    } catch (error) {
      this.#options.onError?.(key, error);
    }
    const done = this.#clock.now();
    this.#runningSince.delete(key);
    this.#options.onDone?.(key, done - started, done - ready);
    this.#inFlight.delete(key);
    this.#settle(key, outcome);
    this.#pump();
  }

  #settle(key: string, outcome: ReconcileOutcome | null): void {
    if (this.#shuttingDown) return;
    if (outcome === null) this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
    else this.forget(key);
    // Added while in flight: run once more now; that run schedules its own follow-up.
    if (this.#dirty.has(key)) {
      if (this.#pressing.delete(key)) this.addUrgent(key);
      else this.#queue('ready', key);
      return;
    }
    this.#promotions.cancel(key);
    if (outcome === null) this.addAfter(key, this.backoffOf((this.#failures.get(key) ?? 1) - 1));
    else this.#follow(key, outcome);
  }

  /** The run a reconcile asked for; a look that comes first moves ahead should the key still wait behind other looks once its step has baked. */
  #follow(key: string, { requeueAfterMs: requeue, advanceAfterMs: advance = null }: ReconcileOutcome): void {
    if (requeue === null) return;
    // The first run due once the step has baked: the requeue itself, or a later promotion.
    const ahead = advance === null ? null : Math.max(advance, requeue);
    if (ahead !== null && ahead <= 0) {
      this.#addAdvancing(key);
      return;
    }
    // One clock reading: a promotion due with the requeue is popped in the same timer call.
    const now = this.#clock.now();
    if (requeue <= 0) this.add(key);
    else this.#delayed.schedule(key, now + requeue);
    if (ahead !== null) this.#promotions.schedule(key, now + ahead);
    this.#arm();
  }

  /** Keeps one timer, set for the earliest delayed key or promotion. */
  #arm(): void {
    const delayed = this.#delayed.peek();
    const promotion = this.#promotions.peek();
    const due = delayed === undefined ? promotion : promotion === undefined ? delayed : Math.min(delayed, promotion);
    if (due === undefined || (this.#timer !== null && this.#timer.due <= due)) return;
    if (this.#timer !== null) this.#timers.clear(this.#timer.handle);
    const handle = this.#timers.set(() => this.#fire(), due - this.#clock.now());
    this.#timer = { handle, due };
  }

  #fire(): void {
    this.#timer = null;
    const now = this.#clock.now();
    const promoted = new Set(this.#promotions.popDue(now));
    for (const key of this.#delayed.popDue(now)) {
      if (promoted.delete(key)) this.#addAdvancing(key);
      else this.add(key);
    }
    // Still waiting in the ordinary lane (not running, not already ahead): its entry there is skipped once it has run.
    for (const key of promoted) {
      if (this.#dirty.has(key) && !this.#inFlight.has(key)) this.#addAdvancing(key);
    }
    this.#arm();
  }
}
