// Deployment windows: a cron expression of the minutes in which traffic may move.
import { CronTime } from 'cron';
import type { DeploymentWindow } from './types.ts';

const minuteMs = 60_000;

/** True when `now` falls in a minute the window's cron expression matches (in its timezone). */
export function insideWindow(window: DeploymentWindow | null, now: number): boolean {
  if (window === null) return true;
  const minute = Math.floor(now / minuteMs) * minuteMs;
  const cron = new CronTime(window.cron, window.timezone);
  return cron.getNextDateFrom(new Date(minute - 1000), window.timezone).toMillis() === minute;
}

/** Milliseconds until the window next opens (0 when it is open now). */
export function untilWindowOpens(window: DeploymentWindow | null, now: number): number {
  if (window === null || insideWindow(window, now)) return 0;
  const cron = new CronTime(window.cron, window.timezone);
  return Math.max(0, cron.getNextDateFrom(new Date(now), window.timezone).toMillis() - now);
}
