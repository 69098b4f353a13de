// The threshold judge (`judge: threshold`): Flagger's rule. Each interval the canary's success
// rate and p99 are checked against the SLO; failed checks are counted over the run and roll
// back at maxFailedChecks. The fix: no data and metric errors are never failed checks.
import type { Assessment, Counts, Evidence, IntervalMeasurement, Judge, JudgeContext, JudgePolicy, MetricPolicy, Verdict } from '../types.ts';
import { addCounts, freshMetric, sampleCounts } from './counts.ts';
import { alignEvidence, initialEvidence, metricPairs } from './evidence.ts';
import { formatCount, spanWords } from './explain.ts';
import { formatNumber, formatPercent } from './format.ts';
import { catastrophe, hasCanaryData, metricsUnavailable, noCanaryData } from './guardrails.ts';
import { gaugeChecks } from './gauge-checks.ts';

function freshThresholdMetric(metric: MetricPolicy): ReturnType<typeof freshMetric> {
  return freshMetric(metric, {});
}

export function emptyThresholdEvidence(policy: JudgePolicy): Evidence {
  return initialEvidence(policy, freshThresholdMetric);
}

/** Success rate in percent: Prometheus's display value when it had one, else from the counts. */
function successRate(canary: Counts): number {
  const shown = canary.successRate;
  return shown !== undefined && Number.isFinite(shown) ? shown : 100 * (1 - canary.events.failures / canary.requests);
}

interface Checks {
  readonly failed: readonly string[];
  readonly passed: readonly string[];
}

function check(policy: JudgePolicy, canary: Counts): Checks {
  const failed: string[] = [];
  const passed: string[] = [];
  const rate = successRate(canary);
  const rateText = `success rate ${formatPercent(rate / 100)}`;
  const minimum = formatPercent(policy.successRateMin / 100);
  if (rate < policy.successRateMin) failed.push(`${rateText}, below the ${minimum} minimum`);
  else passed.push(`${rateText}, at least ${minimum}`);
  const p99 = canary.p99Ms;
  const limit = `${formatNumber(policy.latencyP99MaxMs)} ms`;
  if (p99 === undefined || !Number.isFinite(p99)) passed.push('p99 unknown, not checked');
  else if (p99 > policy.latencyP99MaxMs) failed.push(`p99 ${formatNumber(p99)} ms, above the ${limit} limit`);
  else passed.push(`p99 ${formatNumber(p99)} ms, within ${limit}`);
  return { failed, passed };
}

function checkVerdict(policy: JudgePolicy, checks: Checks, input: { failedChecks: number; canaryRequests: number; measuredMs: number }): Verdict {
  if (checks.failed.length === 0) return { kind: 'continue', safe: true, reason: `checks passed (${checks.passed.join('; ')})` };
  const count = `${input.failedChecks} of ${policy.maxFailedChecks} allowed failed checks`;
  if (input.failedChecks >= policy.maxFailedChecks) {
    const over = input.measuredMs > 0 ? ` over ${spanWords(input.measuredMs)}` : '';
    return { kind: 'rollback', reason: `the canary failed ${count} on ${formatCount(input.canaryRequests)} requests${over} (the last: ${checks.failed.join('; ')})` };
  }
  return { kind: 'continue', safe: false, reason: `check failed (${checks.failed.join('; ')}): ${count}` };
}

interface Input {
  readonly evidence: Evidence;
  readonly interval: IntervalMeasurement;
  readonly context: JudgeContext;
}

function assess(policy: JudgePolicy, input: Input): Assessment {
  const start = alignEvidence(policy, input.evidence, freshThresholdMetric);
  const unavailable = metricsUnavailable(input.interval);
  if (unavailable !== null) return { evidence: start, verdict: unavailable };
  const canary = sampleCounts(input.interval.canary);
  if (!hasCanaryData(canary)) return noCanaryData(policy, start, input.context);
  const primary = sampleCounts(input.interval.primary);
  const metrics = metricPairs(policy, start, freshThresholdMetric).map(({ metric, current }) => addCounts(current, metric, { canary, primary }));
  const gauges = gaugeChecks(policy, start, canary);
  const measuredMs = start.measuredMs + (input.interval.end - input.interval.start);
  const counted = { ...gauges.evidence, metrics, intervals: start.intervals + 1, noDataStreak: 0, measuredMs };
  const guard = catastrophe(policy, { canary, primary }) ?? gauges.verdict;
  if (guard !== null) return { evidence: counted, verdict: guard };
  const checks = check(policy, canary);
  const failedChecks = start.failedChecks + (checks.failed.length > 0 ? 1 : 0);
  const canaryRequests = metrics[0]?.canaryRequests ?? canary.requests;
  return { evidence: { ...counted, failedChecks }, verdict: checkVerdict(policy, checks, { failedChecks, canaryRequests, measuredMs }) };
}

export function thresholdJudge(policy: JudgePolicy): Judge {
  return { assess: (evidence, interval, context) => assess(policy, { evidence, interval, context }) };
}
