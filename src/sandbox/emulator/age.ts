// Human durations as `kubectl get` prints them in the AGE column (k8s.io/apimachinery duration.HumanDuration).

const pair = (a: number, unitA: string, b: number, unitB: string): string => (b === 0 ? `${a}${unitA}` : `${a}${unitA}${b}${unitB}`);

export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 180) return minutes < 10 ? pair(minutes, 'm', seconds % 60, 's') : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return hours < 8 ? pair(hours, 'h', minutes % 60, 'm') : `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 365 * 2) return hours < 192 ? pair(days, 'd', hours % 24, 'h') : `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

/** The age of an RFC 3339 timestamp at `now`, or `<unknown>`. */
export function age(stamp: unknown, now: number): string {
  if (typeof stamp !== 'string') return '<unknown>';
  const at = Date.parse(stamp);
  return Number.isNaN(at) ? '<invalid>' : humanDuration(now - at);
}
