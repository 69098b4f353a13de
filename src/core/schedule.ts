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

/**
 * The interval reconcile should measure now, or null. It starts where the last judged one
 * ended and spans every whole interval whose data is complete (ended ≥ metricsLagMs ago),
 * so a controller that was down catches up in one look. Boundaries never depend on data.
 */
export function dueInterval(state: CanaryState, policy: ReleasePolicy, now: number): IntervalSpan | null {
  if (!measuring(state) || state.analyzedUntil === null) return null;
  const whole = Math.floor((now - policy.metricsLagMs - state.analyzedUntil) / policy.intervalMs);
  if (whole < 1) return null;
  return { start: state.analyzedUntil, end: state.analyzedUntil + whole * policy.intervalMs };
}

/** Milliseconds until the next interval's data is complete. */
export function untilNextInterval(state: CanaryState, policy: ReleasePolicy, now: number): number {
  const from = state.analyzedUntil ?? now;
  return Math.max(0, from + policy.intervalMs + policy.metricsLagMs - now);
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
