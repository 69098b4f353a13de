// Delivery off the caller's path. Jobs wait in per-lane FIFO queues (a lane is one Slack channel
// or one webhook); each lane sends one job at a time, in order, at least `intervalMs` apart, and
// retries 429/5xx/network errors with exponential backoff (or the receiver's Retry-After, if
// longer). Lanes are independent: a dead receiver delays only its own lane. The queue is bounded
// across lanes; past `maxQueue` the oldest waiting job is dropped with a warning. Every job is
// told once how it ended (`settle`), so callers can tell delivered from dropped.
import type { Logger } from 'pino';
import type { Clock } from '../../ports.ts';
import type { Attempt, Job, JobEnd } from './channel.ts';
import { describeError, errorAttempt } from './http.ts';

export interface DispatcherOptions {
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  /** Retries after the first attempt; then the job is dropped with a warning. */
  readonly maxRetries: number;
  /** Least time between two attempts on one lane. */
  readonly intervalMs: number;
  /** Most jobs waiting (not counting the ones in flight). */
  readonly maxQueue: number;
  /** First backoff; doubles per retry up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

interface Queued {
  readonly job: Job;
  readonly seq: number;
}

interface Lane {
  readonly jobs: Queued[];
  busy: boolean;
  /** Clock time before which the lane sends nothing. */
  nextAt: number;
}

const pruneLanesAbove = 1000;

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #lanes = new Map<string, Lane>();
  readonly #abort = new AbortController();
  #waiting = 0;
  #busyLanes = 0;
  #seq = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** Queues a job and returns at once; delivery starts on a later tick. */
  enqueue(job: Job): void {
    if (this.#abort.signal.aborted) {
      this.#settle(job, 'dropped');
      return;
    }
    const lane = this.#lane(job.lane);
    lane.jobs.push({ job, seq: this.#seq++ });
    this.#waiting += 1;
    if (this.#waiting > this.#options.maxQueue) this.#dropOldest();
    if (lane.busy) return;
    lane.busy = true;
    this.#busyLanes += 1;
    queueMicrotask(() => void this.#drain(lane));
  }

  /** Resolves when nothing waits or is in flight, or after `timeoutMs`. */
  flush(timeoutMs = 30_000): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#idleWaiters = this.#idleWaiters.filter((waiter) => waiter !== done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#options.logger.warn({ pending: this.#waiting }, 'notification flush timed out');
        done();
      }, timeoutMs); // ref'd: whoever awaits a flush wants its answer
      this.#idleWaiters.push(done);
    });
  }

  /** Drains for up to `timeoutMs`, then aborts requests in flight and drops what still waits. */
  async close(timeoutMs: number): Promise<void> {
    await this.flush(timeoutMs);
    this.#abort.abort();
    const dropped = this.#waiting;
    for (const lane of this.#lanes.values()) {
      for (const { job } of lane.jobs.splice(0)) this.#settle(job, 'dropped');
    }
    this.#waiting = 0;
    if (dropped > 0) this.#options.logger.warn({ dropped }, 'notifier closed: dropped undelivered notices');
    await this.flush(1000); // let aborted requests unwind
  }

  #lane(key: string): Lane {
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      if (this.#lanes.size >= pruneLanesAbove) this.#pruneLanes();
      lane = { jobs: [], busy: false, nextAt: 0 };
      this.#lanes.set(key, lane);
    }
    return lane;
  }

  /** Forgets idle lanes whose pacing no longer matters. */
  #pruneLanes(): void {
    const now = this.#options.clock.now();
    for (const [key, lane] of this.#lanes) {
      if (!lane.busy && lane.nextAt <= now) this.#lanes.delete(key);
    }
  }

  #dropOldest(): void {
    let oldest: Lane | undefined;
    for (const lane of this.#lanes.values()) {
      const head = lane.jobs[0];
      if (head !== undefined && (oldest?.jobs[0] === undefined || head.seq < oldest.jobs[0].seq)) oldest = lane;
    }
    const dropped = oldest?.jobs.shift();
    if (dropped === undefined) return;
    this.#waiting -= 1;
    const { job } = dropped;
    this.#options.logger.warn({ target: job.target, ...job.tag, limit: this.#options.maxQueue }, 'notification queue full: dropped the oldest notice');
    this.#settle(job, 'dropped');
  }

  /** A settle callback that throws must not stop a lane. */
  #settle(job: Job, end: JobEnd): void {
    try {
      job.settle?.(end);
    } catch (error) {
      this.#options.logger.warn({ target: job.target, ...job.tag, why: describeError(error) }, 'notification settle callback threw');
    }
  }

  async #drain(lane: Lane): Promise<void> {
    try {
      for (let next = lane.jobs.shift(); next !== undefined; next = lane.jobs.shift()) {
        this.#waiting -= 1;
        this.#settle(next.job, await this.#deliver(lane, next.job));
      }
    } finally {
      lane.busy = false;
      this.#busyLanes -= 1;
      if (this.#idle()) for (const waiter of [...this.#idleWaiters]) waiter();
    }
  }

  /** `done` when sent, skipped or refused for good (4xx); `dropped` when retries ran out or on close. */
  async #deliver(lane: Lane, job: Job): Promise<JobEnd> {
    const { logger, maxRetries } = this.#options;
    for (let attempt = 0; !this.#abort.signal.aborted; attempt += 1) {
      await this.#pace(lane);
      const result = await this.#attempt(job);
      if (result.kind === 'skipped') return 'done';
      lane.nextAt = this.#options.clock.now() + this.#options.intervalMs;
      if (result.kind === 'sent') {
        logger.debug({ target: job.target, ...job.tag, attempts: attempt + 1 }, 'notification delivered');
        return 'done';
      }
      if (result.kind === 'failed' || attempt >= maxRetries || this.#abort.signal.aborted) {
        logger.warn({ target: job.target, ...job.tag, attempts: attempt + 1, why: result.why }, 'notification dropped');
        return result.kind === 'failed' ? 'done' : 'dropped';
      }
      const delayMs = this.#retryDelay(attempt, result.retryAfterMs);
      logger.debug({ target: job.target, ...job.tag, attempt: attempt + 1, why: result.why, delayMs }, 'notification will be retried');
      await this.#options.sleep(delayMs);
    }
    return 'dropped';
  }

  async #attempt(job: Job): Promise<Attempt> {
    try {
      return await job.send(this.#abort.signal);
    } catch (error) {
      return errorAttempt(error);
    }
  }

  async #pace(lane: Lane): Promise<void> {
    const waitMs = lane.nextAt - this.#options.clock.now();
    if (waitMs > 0) await this.#options.sleep(waitMs);
  }

  #retryDelay(attempt: number, retryAfterMs: number | null): number {
    const backoff = Math.min(this.#options.backoffMs * 2 ** attempt, this.#options.maxBackoffMs);
    return Math.max(backoff, retryAfterMs ?? 0);
  }

  #idle(): boolean {
    return this.#waiting === 0 && this.#busyLanes === 0;
  }
}
