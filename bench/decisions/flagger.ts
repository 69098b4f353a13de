// Flagger's canary analysis as its documentation's example configures it, as a small pure policy
// (the baseline; not Fledge's threshold judge, which does not count "no data" as a failure):
//
//   analysis: { interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 5,
//               metrics: [request-success-rate min 99 over 1m, request-duration (p99) max 500 ms over 1m] }
//
// Order of one tick, as in Flagger's scheduler (pkg/controller/scheduler.go, advanceCanary):
//   1. failedChecks ≥ threshold → roll back (so the rollback comes one tick after the failed check
//      that reached the threshold);
//   2. the first tick of a run (weight 0, no iterations) runs no checks and routes stepWeight;
//   3. otherwise check the canary over the last interval: no data (the query returns nothing or
//      NaN), a query error, success rate < min or p99 > max is one failed check, and the weight
//      holds; all passing → weight += stepWeight, or promote when the weight is at maxWeight.
// Flagger checks the canary alone (the primary is never read).

export interface FlaggerPolicy {
  readonly intervalMs: number;
  readonly stepWeight: number;
  readonly maxWeight: number;
  readonly threshold: number;
  readonly successRateMin: number; // percent
  readonly p99MaxMs: number;
}

export interface FlaggerState {
  readonly weight: number;
  readonly failedChecks: number;
  readonly iterations: number;
}

/** The canary's analysis-window metrics as Flagger's queries return them. */
export type FlaggerCheckInput =
  | { readonly kind: 'error' } // Prometheus unreachable or erroring
  | { readonly kind: 'values'; readonly successRate: number; readonly p99Ms: number }; // NaN = no values found

export type FlaggerStep =
  | { readonly kind: 'rollback'; readonly state: FlaggerState }
  | { readonly kind: 'promote'; readonly state: FlaggerState }
  | { readonly kind: 'continue'; readonly state: FlaggerState; readonly checked: boolean };

export function flaggerExample(successRateMin = 99): FlaggerPolicy {
  return { intervalMs: 60_000, stepWeight: 5, maxWeight: 50, threshold: 5, successRateMin, p99MaxMs: 500 };
}

export const flaggerStart: FlaggerState = { weight: 0, failedChecks: 0, iterations: 0 };

/** True when the check fails: no values, an error, or a threshold broken. */
export function checkFails(policy: FlaggerPolicy, input: FlaggerCheckInput): boolean {
  if (input.kind === 'error') return true;
  if (!Number.isFinite(input.successRate) || input.successRate < policy.successRateMin) return true;
  return !Number.isFinite(input.p99Ms) || input.p99Ms > policy.p99MaxMs;
}

/** Does the tick need the metrics? (Not on the first tick, nor when it will roll back first.) */
export function needsCheck(policy: FlaggerPolicy, state: FlaggerState): boolean {
  return state.failedChecks < policy.threshold && !(state.weight === 0 && state.iterations === 0);
}

/** One analysis tick. `input` is read only when needsCheck says so. */
export function flaggerTick(policy: FlaggerPolicy, state: FlaggerState, input: FlaggerCheckInput | null): FlaggerStep {
  if (state.failedChecks >= policy.threshold) return { kind: 'rollback', state };
  if (state.weight === 0 && state.iterations === 0) return { kind: 'continue', state: { ...state, weight: policy.stepWeight }, checked: false };
  if (input === null || checkFails(policy, input)) return { kind: 'continue', state: { ...state, failedChecks: state.failedChecks + 1 }, checked: true };
  if (state.weight >= policy.maxWeight) return { kind: 'promote', state };
  return { kind: 'continue', state: { ...state, weight: Math.min(policy.maxWeight, state.weight + policy.stepWeight) }, checked: true };
}
