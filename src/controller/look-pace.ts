// How often the controller can afford to look. The harm test may look every few scrapes, and each
// look is a reconcile; when more canaries look than the controller can reconcile, keys wait in the
// work queue and everything runs late (steps, repairs, the leader's lease). Then the controller
// looks once per interval instead, until the queue has caught up. A longer window is one look on
// the same grid, so the test stays valid; only the time to a rollback grows, for as long as the
// controller is behind.
import type { ReleasePolicy } from '../core/types.ts';

export interface LookPaceOptions {
  /** Looking once per interval starts when keys wait longer than this on average (default 1 s). */
  readonly behindMs?: number;
  /** Finer looks come back when keys wait less than this on average (default 200 ms). */
  readonly caughtUpMs?: number;
  /** Called when the pace changes: true when looks were coarsened, with the average wait in ms. */
  readonly onChange?: (coarse: boolean, waitedMs: number) => void;
}

/** Weight of the latest wait in the running average (about the last 50 reconciles). */
const smoothing = 0.02;

export class LookPace {
  readonly #behindMs: number;
  readonly #caughtUpMs: number;
  readonly #onChange: ((coarse: boolean, waitedMs: number) => void) | undefined;
  #average = 0;
  #coarse = false;

  constructor(options: LookPaceOptions = {}) {
    this.#behindMs = options.behindMs ?? 1_000;
    this.#caughtUpMs = options.caughtUpMs ?? 200;
    this.#onChange = options.onChange;
  }

  /** A key waited `waitedMs` in the work queue before a worker took it. */
  waited(waitedMs: number): void {
    this.#average += smoothing * (waitedMs - this.#average);
    const coarse = this.#coarse ? this.#average > this.#caughtUpMs : this.#average > this.#behindMs;
    if (coarse === this.#coarse) return;
    this.#coarse = coarse;
    this.#onChange?.(coarse, Math.round(this.#average));
  }

  /** True while the controller is behind and looks once per interval. */
  get coarse(): boolean {
    return this.#coarse;
  }

  /** The average wait of a key in the work queue, in ms. */
  get averageWaitMs(): number {
    return this.#average;
  }

  /** `policy` as this pace allows: windows ending on the interval grid while behind (schedule.ts endGridMs), else as it is. */
  paced(policy: ReleasePolicy): ReleasePolicy {
    return this.#coarse && policy.lookMs < policy.intervalMs ? { ...policy, paceMs: policy.intervalMs } : policy;
  }
}
