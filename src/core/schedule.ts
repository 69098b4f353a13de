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
 * Length of one look: windows the judge weighs end on multiples of it since the epoch. At most
 * the interval (a policy without finer looks judges once per interval); never below 1 ms.
 */
export function lookMs(policy: ReleasePolicy): number {
  const look = Number.isFinite(policy.lookMs) && policy.lookMs > 0 ? policy.lookMs : policy.intervalMs;
  return Math.max(1, Math.min(policy.intervalMs, look));
}

/** Where windows end: the look grid, or the coarser pace grid while the controller is behind. */
export function endGridMs(policy: ReleasePolicy): number {
  const look = lookMs(policy);
  const pace = policy.paceMs;
  return pace !== undefined && Number.isFinite(pace) && pace > look ? pace : look;
}

/**
 * How far before a window its queries reach: one scrape interval (half the metrics lag). A
 * counter's increase needs the scrape before the first one inside the window, so with this
 * lookback consecutive windows count every scrape's increase once, and none is lost between them.
 */
export function lookbackMs(policy: ReleasePolicy): number {
  return Math.max(0, Math.floor(policy.metricsLagMs / 2));
}

/** Looks per interval (at least 1): the no-data limit is in intervals, its streak in looks. */
export function looksPerInterval(policy: ReleasePolicy): number {
  return Math.max(1, Math.round(policy.intervalMs / lookMs(policy)));
}

/**
 * Where measuring starts when traffic first reaches the canary (or starts over) at `now`: the
 * start of the look under way, on the look grid. That look holds the first moments of canary
 * traffic (the time before it carries none, and the tests weigh the measured share of requests,
 * not the weight), so the first evidence is read one look and the metrics lag after traffic
 * starts. Every window the judge sees starts and ends on the grid, and canaries with the same
 * look share their windows (one batched query per count serves them all).
 */
export function measureFrom(policy: ReleasePolicy, now: number): number {
  return gridFloor(now, lookMs(policy));
}

/**
 * The window reconcile should measure now, or null. It starts where the last judged one ended
 * and ends at the latest point of the look grid (the pace grid while the controller is behind)
 * whose data is complete (ended ≥ metricsLagMs ago), spanning at least one look, so a controller
 * that was down catches up in one window.
 * Windows never overlap and never depend on data. A start off the grid (a status written before
 * ends were aligned) gets one longer window that ends on the grid.
 */
export function dueInterval(state: CanaryState, policy: ReleasePolicy, now: number): IntervalSpan | null {
  if (!measuring(state) || state.analyzedUntil === null) return null;
  const look = lookMs(policy);
  const end = gridFloor(now - policy.metricsLagMs, windowGridMs(state, policy, now));
  if (end - state.analyzedUntil < look) return null;
  return { start: state.analyzedUntil, end };
}

/** Milliseconds until the next window's data is complete. */
export function untilNextInterval(state: CanaryState, policy: ReleasePolicy, now: number): number {
  const from = state.analyzedUntil ?? now;
  return Math.max(0, gridCeil(from + lookMs(policy), windowGridMs(state, policy, now)) + policy.metricsLagMs - now);
}

/**
 * A baked step that waits only for a judged window reaching past its start (schedule mode). While
 * the controller is behind, that one window still ends on the look grid, not the pace grid: the
 * advance it allows is due, its reconcile runs anyway, and on the pace grid it would wait up to an
 * interval more. Windows still start where the last ended, on the grid, whatever the data.
 */
function awaitsAdvance(state: CanaryState, policy: ReleasePolicy, now: number): boolean {
  const { stepStartedAt, analyzedUntil } = state;
  const left = advanceInMs(state, policy, now);
  return left !== null && left <= 0 && stepStartedAt !== null && analyzedUntil !== null && analyzedUntil <= stepStartedAt;
}

/** Where the next window ends: the pace grid while behind (endGridMs), the look grid for a baked step's advance. */
function windowGridMs(state: CanaryState, policy: ReleasePolicy, now: number): number {
  return awaitsAdvance(state, policy, now) ? lookMs(policy) : endGridMs(policy);
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

/**
 * How long from now until the current step may advance by schedule (its bake ends; at or below 0
 * it has ended), or null when no advance is scheduled: not an unpaused step of a run in schedule
 * mode. The reconcile due then may move the release on, at a time its schedule promised.
 */
export function advanceInMs(state: CanaryState, policy: ReleasePolicy, now: number): number | null {
  if (policy.promotion !== 'schedule' || state.phase !== 'Progressing' || state.pausedBy !== null || state.stepStartedAt === null) return null;
  return state.stepStartedAt + policy.bakeMs - now;
}

/** The progress deadline has passed since the last progress. */
export function pastDeadline(state: CanaryState, policy: ReleasePolicy, now: number): boolean {
  return state.progressAt !== null && now - state.progressAt > policy.progressDeadlineMs;
}
