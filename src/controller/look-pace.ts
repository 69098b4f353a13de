// How often the controller can afford to look. The harm test may look every few scrapes, and each
// look is a reconcile. Looks end on a wall-clock grid (so batched queries serve every canary of a
// window), so every canary with the same look is due at the same moment: the work comes in bursts,
// one per look. A controller keeps up while its keys wait well under one look for a worker; when
// they keep waiting longer, keys pile up and everything runs late (steps, repairs, the leader's
// lease). Then canaries with that look are judged once per interval instead (their windows end on
// the interval grid, each still at least a look long), until waits are short again. A longer
// window is one look on the same grid, so the test stays valid; only the time to a rollback grows
// while the controller is behind.
//
// The measure is how late work starts, not how long the queue stays busy: with thousands of apps
// the queue seldom empties even when every key starts within a few milliseconds. It is the
// longest wait of each second (keys that started, and the oldest one still waiting), averaged
// over about the last five seconds: one burst of writes (every app entering its next step at once)
// does not coarsen looks, waits that last do.
import type { Clock } from '../ports.ts';
import type { ReleasePolicy } from '../core/types.ts';

export interface LookPaceOptions {
  /** Looks are coarsened when keys wait longer than this share of the look (default 0.9). */
  readonly behindShare?: number;
  /** Finer looks come back once keys wait less than this share of the look (default 0.6). */
  readonly caughtUpShare?: number;
  /** How long the oldest key still waiting for a worker has waited (ms); 0 when none waits. */
  readonly oldestWait?: () => number;
  readonly clock?: Clock;
  /** The pace of canaries with looks of `lookMs` changed: coarse (once per interval) or not, with the recent wait. */
  readonly onChange?: (change: { lookMs: number; coarse: boolean; waitMs: number }) => void;
}

/** Length of one period whose longest wait enters the average (ms). */
const periodMs = 1_000;
/** Weight of the latest period's longest wait in the running average (about the last 5 periods). */
const periodWeight = 0.2;
/** Weight of the latest wait in the running average of waits shown as fledge_queue_wait_seconds (about the last 50 reconciles). */
const smoothing = 0.02;

export class LookPace {
  readonly #behindShare: number;
  readonly #caughtUpShare: number;
  readonly #oldestWait: () => number;
  readonly #clock: Clock;
  readonly #onChange: LookPaceOptions['onChange'];
  /** The running average of each period's longest wait. */
  #lateMs = 0;
  /** The period under way (its start, ms since the epoch) and its longest wait so far. */
  #period: number;
  #periodMaxMs = 0;
  #averageWaitMs = 0;
  /** Looks (ms) currently coarsened. */
  readonly #coarse = new Set<number>();

  constructor(options: LookPaceOptions = {}) {
    this.#behindShare = options.behindShare ?? 0.9;
    this.#caughtUpShare = options.caughtUpShare ?? 0.6;
    this.#oldestWait = options.oldestWait ?? (() => 0);
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#onChange = options.onChange;
    this.#period = this.#periodOf(this.#clock.now());
  }

  /** A key waited `waitedMs` in the work queue before a worker took it. */
  waited(waitedMs: number): void {
    this.#roll();
    this.#periodMaxMs = Math.max(this.#periodMaxMs, waitedMs);
    this.#averageWaitMs += smoothing * (waitedMs - this.#averageWaitMs);
  }

  /** How late work starts now: the running average of each recent second's longest wait (ms). */
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
      this.#onChange?.({ lookMs: look, coarse, waitMs: Math.round(late) });
    }
    return coarse ? { ...policy, paceMs: policy.intervalMs } : policy;
  }

  #periodOf(at: number): number {
    return at - (at % periodMs);
  }

  /** Closes the periods that ended since the last call: each one's longest wait enters the average (an empty one counts the oldest key still waiting). */
  #roll(): void {
    const current = this.#periodOf(this.#clock.now());
    if (current <= this.#period) return;
    const now = this.#clock.now();
    const waiting = this.#oldestWait();
    const ended = Math.min(Math.round((current - this.#period) / periodMs), 100);
    for (let i = ended - 1; i >= 0; i -= 1) {
      // The oldest key waiting now had waited this long when that period ended.
      const waitingThen = Math.max(0, waiting - (now - (current - i * periodMs)));
      const longest = i === ended - 1 ? Math.max(this.#periodMaxMs, waitingThen) : waitingThen;
      this.#lateMs += periodWeight * (longest - this.#lateMs);
    }
    this.#period = current;
    this.#periodMaxMs = 0;
  }
}
