// Timers as a port, so queues and electors can run on a fake clock in tests.
import type { Clock } from '../ports.ts';

export interface Timers {
  /** Calls `fn` once after `ms`; the handle cancels it. Real timers are unref'd. */
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Node fires a timer longer than 2³¹−1 ms after 1 ms: longer waits are cut to this, and re-armed by the caller. */
export const maxTimerMs = 2 ** 31 - 1;

export const systemTimers: Timers = {
  set: (fn, ms) => {
    const handle = setTimeout(fn, Math.min(maxTimerMs, Math.max(0, ms)));
    handle.unref();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
