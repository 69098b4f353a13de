// Builders for judge tests: a default two-metric policy and interval measurements.
import type { Counts, IntervalMeasurement, JudgeContext, JudgePolicy, Sample } from '../../../src/core/types.ts';
import { judgePolicy as basePolicy } from '../../support/builders.ts';

export function judgePolicy(overrides: Partial<JudgePolicy> = {}): JudgePolicy {
  return basePolicy({ maxFailedChecks: 3, ...overrides });
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
