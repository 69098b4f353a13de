// Deployment windows: a cron expression of the minutes in which traffic may move.
import { CronTime } from 'cron';
import type { DeploymentWindow } from './types.ts';

const minuteMs = 60_000;

/** The next minute the window matches at or after `from`, or null when it never does (e.g. `0 0 30 2 *`). */
export function nextOpening(window: DeploymentWindow, from: number): number | null {
  try {
    const cron = new CronTime(window.cron, window.timezone);
    return cron.getNextDateFrom(new Date(from - 1000), window.timezone).toMillis();
  } catch {
    // The cron library gives up after 8 years without a match.
    return null;
  }
}

/** True when `now` falls in a minute the window's cron expression matches (in its timezone). */
export function insideWindow(window: DeploymentWindow | null, now: number): boolean {
  if (window === null) return true;
  const minute = Math.floor(now / minuteMs) * minuteMs;
  return nextOpening(window, minute) === minute;
}

/** Milliseconds until the window next opens (0 when it is open now, Infinity when it never opens). */
export function untilWindowOpens(window: DeploymentWindow | null, now: number): number {
  if (window === null || insideWindow(window, now)) return 0;
  const next = nextOpening(window, now + 1000);
  return next === null ? Infinity : Math.max(0, next - now);
}
