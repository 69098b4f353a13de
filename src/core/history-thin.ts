// Keeps a run's looks within a bound by thinning, not cutting: when full, every other look goes,
// but never the first, the last, or a look where something changed (weight, step, phase, a
// reason). A long run keeps its whole story, evenly at a coarser grain.
import type { Look } from './history-types.ts';

/** Something a person would want to see at this look: the weight, step or phase moved, or a reason was given. */
export function changedAt(looks: readonly Look[], index: number): boolean {
  const look = looks[index];
  const before = looks[index - 1];
  if (look === undefined || before === undefined) return true;
  return look.note !== null || look.weight !== before.weight || look.step !== before.step || look.phase !== before.phase;
}

/**
 * Evenly over the run's time: one look per bucket of span ÷ `buckets`, plus the first, the
 * last and every look where something changed.
 */
function byBuckets(looks: readonly Look[], buckets: number): Look[] {
  const first = looks.reduce((min, look) => Math.min(min, look.at), Infinity);
  const span = Math.max(1, looks.reduce((max, look) => Math.max(max, look.at), -Infinity) - first);
  let taken = -1;
  return looks.filter((look, index) => {
    if (index === 0 || index === looks.length - 1 || changedAt(looks, index)) return true;
    const bucket = Math.floor(((look.at - first) / span) * buckets);
    if (bucket === taken) return false;
    taken = bucket;
    return true;
  });
}

/** Drops every other look but the first and the last, changed or not: for runs that changed at every look. */
function halved(looks: readonly Look[]): Look[] {
  return looks.filter((_, index) => index === 0 || index === looks.length - 1 || index % 2 === 0);
}

/**
 * The looks with at most `max` of them (max ≥ 3): unchanged when within the bound, otherwise
 * thinned to about half the bound, evenly over time, so that the next looks are kept as they
 * come. Pure; the first and the newest look are always kept.
 */
export function thinLooks(looks: readonly Look[], max: number): Look[] {
  if (looks.length <= max) return [...looks];
  let kept = byBuckets(looks, Math.floor(max / 2));
  while (kept.length > max) kept = halved(kept);
  return kept;
}
