// Human durations as `kubectl get` prints them in the AGE column (k8s.io/apimachinery duration.HumanDuration).

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 192) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

/** The age of an RFC 3339 timestamp at `now`, or `<unknown>`. */
export function age(stamp: unknown, now: number): string {
  if (typeof stamp !== 'string') return '<unknown>';
  const at = Date.parse(stamp);
  return Number.isNaN(at) ? '<invalid>' : humanDuration(now - at);
}
