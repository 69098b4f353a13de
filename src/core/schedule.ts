// When to measure and when to look again. Pure arithmetic on the state and the policy.
import type { CanaryState } from './state.ts';
import type { ReleasePolicy } from './types.ts';

export interface IntervalSpan {
  readonly start: number;
  readonly end: number;
}

function measuring(state: CanaryState): boolean {
  return (state.phase === 'Progressing' || state.phase === 'Paused') && state.step >= 0 && state.analyzedUntil !== null;
}

/** The first grid point at or after `t`: interval ends are multiples of `intervalMs` since the epoch. */
export function gridCeil(t: number, intervalMs: number): number {
  return Math.ceil(t / intervalMs) * intervalMs;
}

/** The last grid point at or before `t`. */
export function gridFloor(t: number, intervalMs: number): number {
  return Math.floor(t / intervalMs) * intervalMs;
}

/**
 * Where measuring starts when traffic first reaches the canary (or starts over) at `now`: the
 * next grid point. The partial interval before it is not measured, so every window the judge
 * sees starts and ends on the grid, and canaries with the same interval share their windows
 * (one batched query per count serves them all).
 */
export function measureFrom(policy: ReleasePolicy, now: number): number {
  return gridCeil(now, policy.intervalMs);
}

/**
 * The interval reconcile should measure now, or null. It starts where the last judged one
 * ended and ends at the latest grid point whose data is complete (ended ≥ metricsLagMs ago),
 * spanning at least one interval, so a controller that was down catches up in one look.
 * Windows never overlap and never depend on data. A start off the grid (a status written
 * before ends were aligned) gets one longer window that ends on the grid.
 */
export function dueInterval(state: CanaryState, policy: ReleasePolicy, now: number): IntervalSpan | null {
  if (!measuring(state) || state.analyzedUntil === null) return null;
  const end = gridFloor(now - policy.metricsLagMs, policy.intervalMs);
  if (end - state.analyzedUntil < policy.intervalMs) return null;
  return { start: state.analyzedUntil, end };
}

/** Milliseconds until the next interval's data is complete. */
export function untilNextInterval(state: CanaryState, policy: ReleasePolicy, now: number): number {
  const from = state.analyzedUntil ?? now;
  return Math.max(0, gridCeil(from + policy.intervalMs, policy.intervalMs) + policy.metricsLagMs - now);
}

/** How often to look while waiting on the cluster (readiness, rollouts). */
export function pollMs(policy: ReleasePolicy): number {
  return Math.min(5_000, Math.max(250, Math.floor(policy.intervalMs / 4)));
}

/** True once the current step has baked long enough and has been judged at least once. */
export function stepBaked(state: CanaryState, policy: ReleasePolicy, now: number): boolean {
  if (state.stepStartedAt === null || state.analyzedUntil === null) return false;
  return now - state.stepStartedAt >= policy.bakeMs && state.analyzedUntil > state.stepStartedAt;
}

/** The progress deadline has passed since the last progress. */
export function pastDeadline(state: CanaryState, policy: ReleasePolicy, now: number): boolean {
  return state.progressAt !== null && now - state.progressAt > policy.progressDeadlineMs;
}
