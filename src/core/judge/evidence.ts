// Evidence bookkeeping shared by the judges: one entry per policy metric, matched by name, so
// evidence restored from a Canary's status survives a policy that gained or lost a metric.
import type { Evidence, JudgePolicy, MetricEvidence, MetricPolicy } from '../types.ts';

export type FreshMetric = (metric: MetricPolicy) => MetricEvidence;

export interface MetricPair {
  readonly metric: MetricPolicy;
  readonly current: MetricEvidence;
}

export function initialEvidence(policy: JudgePolicy, fresh: FreshMetric): Evidence {
  return { metrics: policy.metrics.map(fresh), intervals: 0, noDataStreak: 0, failedChecks: 0, measuredMs: 0, rollbackAt: null };
}

/** Each policy metric, in the policy's order, with its evidence so far (fresh when there is none). */
export function metricPairs(policy: JudgePolicy, evidence: Evidence, fresh: FreshMetric): MetricPair[] {
  const byName = new Map(evidence.metrics.map((metric) => [metric.name, metric]));
  return policy.metrics.map((metric) => ({ metric, current: byName.get(metric.name) ?? fresh(metric) }));
}

/** The evidence with exactly the policy's metrics, in the policy's order. */
export function alignEvidence(policy: JudgePolicy, evidence: Evidence, fresh: FreshMetric): Evidence {
  return { ...evidence, metrics: metricPairs(policy, evidence, fresh).map((pair) => pair.current) };
}
