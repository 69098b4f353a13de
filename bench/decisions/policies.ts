// The four policies compared side by side. Fledge's are real ReleasePolicy values built from the
// same pieces the configuration resolver uses (judge metrics, guardrails, defaults), with the
// step schedule of the Flagger example (5, 10, …, 50%, one minute each) so that, without
// failures, all promote at about the same time.
import { guardrails, judgeMetrics, lookFor } from '../../src/config/resolve.ts';
import type { JudgePolicy, ReleasePolicy } from '../../src/core/types.ts';
import { flaggerExample, type FlaggerPolicy } from './flagger.ts';
import { latencyEdgeMs, minuteMs } from './scenarios.ts';

export const policyIds = ['flagger', 'fledge-schedule', 'fledge-evidence', 'fledge-threshold'] as const;
export type PolicyId = (typeof policyIds)[number];

export const policyLabels: Readonly<Record<PolicyId, string>> = {
  flagger: 'Flagger example',
  'fledge-schedule': 'Fledge sequential, schedule',
  'fledge-evidence': 'Fledge sequential, evidence',
  'fledge-threshold': 'Fledge threshold judge',
};

/** Default scrape interval of the simulated Prometheus; Fledge reads an interval 2 scrapes after it ends. */
export const defaultScrapeMs = 15_000;

const steps = [5, 10, 15, 20, 25, 30, 35, 40, 45, 50];

function judge(kind: JudgePolicy['kind'], successRateMin: number): JudgePolicy {
  return {
    kind,
    metrics: judgeMetrics(successRateMin),
    alpha: 0.05,
    beta: 0.05,
    ...guardrails,
    maxFailedChecks: 5,
    successRateMin,
    latencyP99MaxMs: latencyEdgeMs,
  };
}

/** Fledge's policy for one of its three variants; defaults everywhere else (progress deadline 10m). */
export function fledgePolicy(id: Exclude<PolicyId, 'flagger'>, options: { successRateMin: number; scrapeMs: number }): ReleasePolicy {
  const { successRateMin, scrapeMs } = options;
  const judged = judge(id === 'fledge-threshold' ? 'threshold' : 'sequential', successRateMin);
  return {
    steps,
    bakeMs: minuteMs,
    intervalMs: minuteMs,
    metricsLagMs: 2 * scrapeMs,
    // As the configuration resolver sets it: the sequential judge looks every 2 scrapes.
    lookMs: lookFor(judged.kind, { intervalMs: minuteMs, scrapeMs }),
    promotion: id === 'fledge-evidence' ? 'evidence' : 'schedule',
    pauseBeforeEachStep: false,
    manualGate: false,
    progressDeadlineMs: 10 * minuteMs,
    pauseLimitMs: 30 * minuteMs,
    onNoData: 'rollback',
    gateTimeoutMs: null,
    window: null,
    judge: judged,
  };
}

export function flaggerPolicy(successRateMin: number): FlaggerPolicy {
  return flaggerExample(successRateMin);
}

/** Policies that read the canary's p99 need the latency histogram drawn. */
export function readsP99(id: PolicyId): boolean {
  return id === 'flagger' || id === 'fledge-threshold';
}
