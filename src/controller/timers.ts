// Timers as a port, so queues and electors can run on a fake clock in tests.
import type { Clock } from '../ports.ts';

export interface Timers {
  /** Calls `fn` once after `ms`; the handle cancels it. Real timers are unref'd. */
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemTimers: Timers = {
  set: (fn, ms) => {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
