// How often the controller can afford to look. The harm test may look every few scrapes, and each
// look is a reconcile. Looks end on a wall-clock grid (so batched queries serve every canary of a
// window), so every canary with the same look is due at the same moment: the work comes in bursts,
// one per look. A controller keeps up while its work is done well within one look of being due;
// when it keeps taking longer, keys pile up and everything runs late (steps, repairs, the leader's
// lease). Then canaries with that look are judged once per interval instead (their windows end on
// the interval grid, each still at least a look long), until work is done promptly again. A longer
// window is one look on the same grid, so the test stays valid; only the time to a rollback grows
// while the controller is behind.
//
// The measure is how late work gets done: from a key becoming ready to its reconcile finishing,
// its wait for a worker and its run (with many workers the wait stays short while every request
// to a saturated API server takes seconds), not how long the queue stays busy (with thousands of
// apps it seldom empties even when every key is done within milliseconds). It is the longest of
// each second (the reconciles that finished, and the oldest key not done yet), averaged over about
// the last five seconds: one burst of writes (every app entering its next step at once) does not
// coarsen looks, lateness that lasts does.
import type { Clock } from '../ports.ts';
import type { ReleasePolicy } from '../core/types.ts';

export interface LookPaceOptions {
  /** Looks are coarsened when work is done later than this share of the look (default 0.9). */
  readonly behindShare?: number;
  /** Finer looks come back once work is done within this share of the look (default 0.6). */
  readonly caughtUpShare?: number;
  /** How long since the oldest key not done yet (waiting or running) became ready, in ms; 0 when none. */
  readonly oldestPending?: () => number;
  readonly clock?: Clock;
  /** The pace of canaries with looks of `lookMs` changed: coarse (once per interval) or not, with how late work is done now. */
  readonly onChange?: (change: { lookMs: number; coarse: boolean; lateMs: number }) => void;
}

/** Length of one period: the latest-done work of each enters the running average (ms). */
const periodMs = 1_000;
/** Weight of the latest period's longest time from ready to done in the running average (about the last 5 periods). */
const periodWeight = 0.2;
/** Weight of the latest wait in the running average of waits shown as fledge_queue_wait_seconds (about the last 50 reconciles). */
const smoothing = 0.02;

export class LookPace {
  readonly #behindShare: number;
  readonly #caughtUpShare: number;
  readonly #oldestPending: () => number;
  readonly #clock: Clock;
  readonly #onChange: LookPaceOptions['onChange'];
  /** The running average of each period's longest time from ready to done. */
  #lateMs = 0;
  /** The period under way (its start, ms since the epoch) and its longest time from ready to done so far. */
  #period: number;
  #periodMaxMs = 0;
  #averageWaitMs = 0;
  /** Looks (ms) currently coarsened. */
  readonly #coarse = new Set<number>();

  constructor(options: LookPaceOptions = {}) {
    this.#behindShare = options.behindShare ?? 0.9;
    this.#caughtUpShare = options.caughtUpShare ?? 0.6;
    this.#oldestPending = options.oldestPending ?? (() => 0);
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#onChange = options.onChange;
    this.#period = this.#periodOf(this.#clock.now());
  }

  /** A key waited `waitedMs` in the work queue before a worker took it (for the gauge). */
  waited(waitedMs: number): void {
    this.#averageWaitMs += smoothing * (waitedMs - this.#averageWaitMs);
  }

  /** A reconcile finished `sinceReadyMs` after its key became ready: its wait for a worker and its own run. */
  finished(sinceReadyMs: number): void {
    this.#roll();
    this.#periodMaxMs = Math.max(this.#periodMaxMs, sinceReadyMs);
  }

  /** How late work gets done now: the running average of each recent second's longest time from ready to done (ms). */
  get lateMs(): number {
    this.#roll();
    return this.#lateMs;
  }

  /** True while canaries of some look are judged once per interval. */
  get coarse(): boolean {
    return this.#coarse.size > 0;
  }

  /** The average wait of a key in the work queue, in ms. */
  get averageWaitMs(): number {
    return this.#averageWaitMs;
  }

  /** `policy` as this pace allows: windows ending on the interval grid while its looks are coarsened (schedule.ts endGridMs), else as it is. */
  paced(policy: ReleasePolicy): ReleasePolicy {
    const look = policy.lookMs;
    if (!(look < policy.intervalMs)) return policy;
    const was = this.#coarse.has(look);
    const late = this.lateMs;
    const coarse = was ? late > this.#caughtUpShare * look : late > this.#behindShare * look;
    if (coarse !== was) {
      if (coarse) this.#coarse.add(look);
      else this.#coarse.delete(look);
      this.#onChange?.({ lookMs: look, coarse, lateMs: Math.round(late) });
    }
    return coarse ? { ...policy, paceMs: policy.intervalMs } : policy;
  }

  #periodOf(at: number): number {
    return at - (at % periodMs);
  }

  /** Closes the periods that ended since the last call: each one's longest time from ready to done enters the average, or the oldest key not done yet if that is longer. */
  #roll(): void {
    const now = this.#clock.now();
    const current = this.#periodOf(now);
    if (current <= this.#period) return;
    const waiting = this.#oldestPending();
    const ended = Math.min(Math.round((current - this.#period) / periodMs), 100);
    for (let i = ended - 1; i >= 0; i -= 1) {
      // The oldest key not done now had been pending this long when that period ended.
      const waitingThen = Math.max(0, waiting - (now - (current - i * periodMs)));
      const longest = i === ended - 1 ? Math.max(this.#periodMaxMs, waitingThen) : waitingThen;
      this.#lateMs += periodWeight * (longest - this.#lateMs);
    }
    this.#period = current;
    this.#periodMaxMs = 0;
  }
}
