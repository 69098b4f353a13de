// How often the controller can afford to look. The harm test may look every few scrapes, and each
// look is a reconcile. Looks end on a wall-clock grid (so batched queries serve every canary of a
// window), so every canary with the same look is due at the same moment: the work comes in bursts,
// one per look. A controller keeps up while a burst drains well within one look; when it does not,
// keys pile up and everything runs late (steps, repairs, the leader's lease). Then canaries with
// that look are judged once per interval instead (their windows end on the interval grid, each
// still at least a look long), until bursts drain quickly again. A longer window is one look on the
// same grid, so the test stays valid; only the time to a rollback grows while the controller is
// behind.
import type { ReleasePolicy } from '../core/types.ts';

export interface LookPaceOptions {
  /** Looks are coarsened when bursts take longer than this share of the look (default 0.9). */
  readonly behindShare?: number;
  /** Finer looks come back once bursts take less than this share of the look (default 0.6). */
  readonly caughtUpShare?: number;
  /** How long the work queue has been busy without a break right now (ms). */
  readonly busyNow?: () => number;
  /** The pace of canaries with looks of `lookMs` changed: coarse (once per interval) or not, with the recent burst length. */
  readonly onChange?: (change: { lookMs: number; coarse: boolean; busyMs: number }) => void;
}

/** Weight of the latest wait in the running average of waits (about the last 50 reconciles). */
const smoothing = 0.02;

export class LookPace {
  readonly #behindShare: number;
  readonly #caughtUpShare: number;
  readonly #busyNow: () => number;
  readonly #onChange: LookPaceOptions['onChange'];
  /** The last busy period of the work queue, with the one before it at half weight and so on. */
  #recentBusyMs = 0;
  #averageWaitMs = 0;
  /** Looks (ms) currently coarsened. */
  readonly #coarse = new Set<number>();

  constructor(options: LookPaceOptions = {}) {
    this.#behindShare = options.behindShare ?? 0.9;
    this.#caughtUpShare = options.caughtUpShare ?? 0.6;
    this.#busyNow = options.busyNow ?? (() => 0);
    this.#onChange = options.onChange;
  }

  /** The work queue emptied after a burst of `busyMs`. */
  idle(busyMs: number): void {
    this.#recentBusyMs = Math.max(busyMs, this.#recentBusyMs / 2);
  }

  /** A key waited `waitedMs` in the work queue before a worker took it (for the gauge). */
  waited(waitedMs: number): void {
    this.#averageWaitMs += smoothing * (waitedMs - this.#averageWaitMs);
  }

  /** How long bursts of work take now: the recent ones, or the one under way if it is longer. */
  get busyMs(): number {
    return Math.max(this.#recentBusyMs, this.#busyNow());
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
    const busy = this.busyMs;
    const coarse = was ? busy > this.#caughtUpShare * look : busy > this.#behindShare * look;
    if (coarse !== was) {
      if (coarse) this.#coarse.add(look);
      else this.#coarse.delete(look);
      this.#onChange?.({ lookMs: look, coarse, busyMs: Math.round(busy) });
    }
    return coarse ? { ...policy, paceMs: policy.intervalMs } : policy;
  }
}
