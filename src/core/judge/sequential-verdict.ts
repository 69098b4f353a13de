// Verdicts of the sequential judge from the interval's weighed metrics, with reasons built
// from the numbers that led to them.
import type { MetricEvidence, MetricPolicy, JudgePolicy, Verdict } from '../types.ts';
import { comparison, towardThreshold } from './explain.ts';
import { formatNumber, formatPercent } from './format.ts';

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

/** "checkout-errors: " when another metric of the policy counts the same event (or a template's own metric), so the sentence says which. */
function namedIfShared(policy: JudgePolicy, metric: MetricPolicy): string {
  return metric.event === 'extra' || policy.metrics.filter((m) => m.event === metric.event).length > 1 ? `${metric.name}: ` : '';
}

/**
 * Rollback when any metric's harm e-value reaches M/α. The reason compares the canary with the
 * primary and the SLO over the run, metric by metric (see explain.ts).
 */
export function harmVerdict(policy: JudgePolicy, weighed: readonly Weighed[], measuredMs?: number): Verdict | null {
  const bound = harmBound(policy);
  const harmful = weighed.filter((w) => w.evidence.harm >= bound);
  if (harmful.length === 0) return null;
  const reasons = harmful.map((w) => `${namedIfShared(policy, w.metric)}${comparison({ metric: w.metric, evidence: w.evidence, judge: policy, measuredMs })}`);
  return { kind: 'rollback', reason: reasons.join('; and ') };
}

/** Pause while the primary breaks the SLO too: the trouble is not the canary's. */
export function sharedIncidentVerdict(weighed: readonly Weighed[]): Verdict | null {
  const shared = weighed.flatMap((w) => (w.sharedRate === null ? [] : [`${w.metric.name} ${formatPercent(w.sharedRate)} > ${formatPercent(w.metric.sloRate)}`]));
  if (shared.length === 0) return null;
  return { kind: 'pause', cause: 'shared-incident', reason: `the primary breaks the SLO too (${shared.join(', ')}): a shared incident, not the canary's doing; paused until it passes` };
}

/** "errors 12%, latency 3%": how far each metric's harm evidence has come towards the rollback threshold. */
function harmProgress(weighed: readonly Weighed[], bound: number): string {
  return weighed.map((w) => `${w.metric.name} ${Math.floor((towardThreshold(w.evidence.harm, bound) ?? 0) * 100)}%`).join(', ');
}

/** No reason to stop; `safe` when every metric's safe e-value reached M/β at this step. */
export function continueVerdict(policy: JudgePolicy, weighed: readonly Weighed[]): Verdict {
  const harm = `no sign of harm yet: evidence ${harmProgress(weighed, harmBound(policy))} of the way to a rollback`;
  const bound = safeBound(policy);
  const safe = weighed.every((w) => w.evidence.safe >= bound);
  if (!safe) return { kind: 'continue', safe, reason: harm };
  const times = weighed.map((w) => `${w.metric.name} ${formatNumber(w.evidence.safe / bound)}×`).join(', ');
  return { kind: 'continue', safe, reason: `${harm}; shown no worse than allowed at this step (evidence ${times} the threshold)` };
}
