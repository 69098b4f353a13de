// Builders with sound defaults and overrides, for tests of the core.
import type { CanaryState, Observation, WorkloadView } from '../../src/core/state.ts';
import type { Counts, IntervalMeasurement, JudgePolicy, ReleasePolicy, Sample } from '../../src/core/types.ts';
import { initialState } from '../../src/core/transitions.ts';
import { emptyEvidence } from '../../src/core/judge/index.ts';

export const t0 = Date.parse('2026-11-23T10:00:00Z'); // a Monday
export const second = 1000;
export const minute = 60 * second;

export function judgePolicy(overrides: Partial<JudgePolicy> = {}): JudgePolicy {
  return {
    kind: 'sequential',
    metrics: [
      { name: 'errors', event: 'failures', sloRate: 0.01, rMax: 2 },
      { name: 'latency', event: 'slow', sloRate: 0.01, rMax: 1.5 },
    ],
    alpha: 0.05,
    beta: 0.05,
    catastropheRatio: 0.2,
    catastropheMinRequests: 20,
    noDataIntervals: 3,
    maxFailedChecks: 5,
    successRateMin: 99,
    latencyP99MaxMs: 500,
    ...overrides,
  };
}

export function policy(overrides: Partial<ReleasePolicy> = {}): ReleasePolicy {
  return {
    steps: [10, 20, 30, 40, 50],
    bakeMs: minute,
    intervalMs: minute,
    metricsLagMs: 30 * second,
    lookMs: minute,
    promotion: 'schedule',
    pauseBeforeEachStep: false,
    manualGate: false,
    progressDeadlineMs: 10 * minute,
    pauseLimitMs: 30 * minute,
    onNoData: 'rollback',
    gateTimeoutMs: null,
    window: null,
    judge: judgePolicy(),
    ...overrides,
  };
}

export function workload(overrides: Partial<WorkloadView> = {}): WorkloadView {
  return { replicas: 2, readyReplicas: 2, rolledOut: true, stalled: false, ...overrides };
}

export function observation(overrides: Partial<Observation> = {}): Observation {
  return {
    targetRevision: 'rev-a',
    target: workload({ replicas: 0, readyReplicas: 0 }),
    primary: workload(),
    primaryRevision: 'rev-a',
    desiredReplicas: 2,
    routedCanaryWeight: 0,
    request: null,
    interval: null,
    ...overrides,
  };
}

export function state(overrides: Partial<CanaryState> = {}): CanaryState {
  return { ...initialState(), phase: 'Ready', revision: 'rev-a', lastPromotedRevision: 'rev-a', message: '', ...overrides };
}

/** A run of revision `rev-b` at `step` (weight from the default steps), started at t0. */
export function running(step: number, overrides: Partial<CanaryState> = {}): CanaryState {
  const steps = [10, 20, 30, 40, 50];
  return state({
    phase: 'Progressing',
    revision: 'rev-b',
    step,
    canaryWeight: step >= 0 ? (steps[step] ?? 0) : 0,
    runStartedAt: t0,
    stepStartedAt: step >= 0 ? t0 : null,
    analyzedUntil: step >= 0 ? t0 : null,
    progressAt: t0,
    evidence: emptyEvidence(judgePolicy()),
    ...overrides,
  });
}

/** What reconcile sees during a run of `rev-b`: canary ready, routed at `weight`. */
export function runObservation(weight: number, overrides: Partial<Observation> = {}): Observation {
  return observation({ targetRevision: 'rev-b', target: workload(), routedCanaryWeight: weight, ...overrides });
}

export function counts(requests: number, failures = 0, slow = 0): Counts {
  return { requests, events: { failures, slow } };
}

export function value(requests: number, failures = 0, slow = 0): Sample {
  return { kind: 'value', counts: counts(requests, failures, slow) };
}

export function interval(start: number, end: number, canary: Sample, primary: Sample = value(9000, 9, 9)): IntervalMeasurement {
  return { start, end, canary, primary };
}
