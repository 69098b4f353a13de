// Builders for judge tests: a default two-metric policy and interval measurements.
import type { Counts, IntervalMeasurement, JudgeContext, JudgePolicy, Sample } from '../../../src/core/types.ts';

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
    maxFailedChecks: 3,
    successRateMin: 99,
    latencyP99MaxMs: 500,
    ...overrides,
  };
}

export function counts(requests: number, failures = 0, slow = 0, display: Partial<Pick<Counts, 'successRate' | 'p99Ms'>> = {}): Counts {
  return { requests, events: { failures, slow }, ...display };
}

export function value(requests: number, failures = 0, slow = 0, display: Partial<Pick<Counts, 'successRate' | 'p99Ms'>> = {}): Sample {
  return { kind: 'value', counts: counts(requests, failures, slow, display) };
}

export const noData: Sample = { kind: 'no-data' };

export function failing(message: string): Sample {
  return { kind: 'error', message };
}

export function measured(canary: Sample, primary: Sample = value(900)): IntervalMeasurement {
  return { start: 0, end: 60_000, canary, primary };
}

export function step(canaryWeight = 10, newStep = false): JudgeContext {
  return { canaryWeight, newStep };
}
