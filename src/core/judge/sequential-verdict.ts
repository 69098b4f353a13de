// Verdicts of the sequential judge from the interval's weighed metrics, with reasons built
// from the numbers that led to them.
import type { MetricEvidence, MetricPolicy, JudgePolicy, Verdict } from '../types.ts';
import { rateOf } from './counts.ts';
import { eventNoun, formatNumber, formatPercent } from './format.ts';

/** One metric after the interval. */
export interface Weighed {
  readonly metric: MetricPolicy;
  readonly evidence: MetricEvidence;
  /** The primary's event share this interval when it breaks the SLO itself; else null. */
  readonly sharedRate: number | null;
}

/** Rollback bound M/α: Bonferroni over the M metrics keeps P(any false rollback) ≤ α. */
export function harmBound(policy: JudgePolicy): number {
  return Math.max(1, policy.metrics.length) / policy.alpha;
}

/** Bound M/β the safe e-values must reach for evidence mode to advance. */
export function safeBound(policy: JudgePolicy): number {
  return Math.max(1, policy.metrics.length) / policy.beta;
}

function describeRates({ metric, evidence }: Weighed): string {
  // Verdicts follow an interval with canary requests, so the canary's rate is defined.
  const canary = evidence.canaryEvents / evidence.canaryRequests;
  const primary = rateOf(evidence.primaryEvents, evidence.primaryRequests);
  const versus = primary === null ? '' : ` vs primary ${formatPercent(primary)}`;
  const ratio = evidence.ratio === null ? '' : ` (≈${formatNumber(evidence.ratio)}×)`;
  // An extra metric has no SLO (rate 1): it is judged against the primary only.
  const slo = metric.sloRate >= 1 ? '' : `, SLO ${formatPercent(metric.sloRate)}`;
  return `${metric.name}: canary ${eventNoun(metric.event)} ${formatPercent(canary)}${versus}${ratio}${slo}`;
}

function listValues(weighed: readonly Weighed[], pick: (evidence: MetricEvidence) => number): string {
  return weighed.map((w) => `${w.metric.name} ${formatNumber(pick(w.evidence))}`).join(', ');
}

/** Rollback when any metric's harm e-value reaches M/α. */
export function harmVerdict(policy: JudgePolicy, weighed: readonly Weighed[]): Verdict | null {
  const bound = harmBound(policy);
  const harmful = weighed.filter((w) => w.evidence.harm >= bound);
  if (harmful.length === 0) return null;
  const reasons = harmful.map((w) => `${describeRates(w)}; evidence ${formatNumber(w.evidence.harm)} ≥ ${formatNumber(bound)}`);
  return { kind: 'rollback', reason: `${reasons.join('; ')}: roll back` };
}

/** Pause while the primary breaks the SLO too: the trouble is not the canary's. */
export function sharedIncidentVerdict(weighed: readonly Weighed[]): Verdict | null {
  const shared = weighed.flatMap((w) => (w.sharedRate === null ? [] : [`${w.metric.name} ${formatPercent(w.sharedRate)} > ${formatPercent(w.metric.sloRate)}`]));
  if (shared.length === 0) return null;
  return { kind: 'pause', cause: 'shared-incident', reason: `primary breaks the SLO too (${shared.join(', ')}): shared incident, pausing` };
}

/** No reason to stop; `safe` when every metric's safe e-value reached M/β at this step. */
export function continueVerdict(policy: JudgePolicy, weighed: readonly Weighed[]): Verdict {
  const harm = `no harm evidence yet (${listValues(weighed, (e) => e.harm)} < ${formatNumber(harmBound(policy))})`;
  const bound = safeBound(policy);
  const safe = weighed.every((w) => w.evidence.safe >= bound);
  if (!safe) return { kind: 'continue', safe, reason: harm };
  return { kind: 'continue', safe, reason: `${harm}; no worse than allowed at this step (${listValues(weighed, (e) => e.safe)} ≥ ${formatNumber(bound)})` };
}
