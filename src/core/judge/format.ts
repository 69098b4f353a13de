// Numbers in reasons: at most 2 decimals, only significant ones; tiny numbers keep 2
// significant digits, huge ones go exponential, so a reason line stays short.
import type { EventName } from '../types.ts';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '-∞' : 'NaN';
  const size = Math.abs(value);
  if (size >= 1e6) return value.toExponential(1);
  if (size >= 1000) return Math.round(value).toString();
  if (size === 0 || size >= 0.01) return Number(value.toFixed(2)).toString();
  return Number(value.toPrecision(2)).toString();
}

/** A share (0.021) as a percentage ("2.1%"). */
export function formatPercent(share: number): string {
  return `${formatNumber(share * 100)}%`;
}

const eventNouns: Readonly<Record<EventName | 'extra', string>> = { failures: 'failure rate', slow: 'slow-request share', extra: 'event share' };

/** "failure rate" / "slow-request share". */
export function eventNoun(event: EventName | 'extra'): string {
  return eventNouns[event];
}

/** A span of time for reasons: "45s", "31m", "2h5m" (whole seconds below a minute, else whole minutes). */
export function formatSpan(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))}s`;
  const minutes = Math.round(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes}m`;
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
}
