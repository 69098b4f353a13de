// The sequential judge (`judge: sequential`): per metric, e-processes for harm (rollback at
// M/α, never reset within a run) and for non-inferiority at the current step (evidence mode
// advances at M/β), behind the guardrails every judge runs first.
import type { Assessment, Counts, Evidence, IntervalMeasurement, Judge, JudgeContext, JudgePolicy, MetricPolicy } from '../types.ts';
import { eventsOf, requestsOf, sampleCounts } from './counts.ts';
import { gaugeChecks } from './gauge-checks.ts';
import { alignEvidence, initialEvidence, metricPairs } from './evidence.ts';
import { catastrophe, hasCanaryData, metricsUnavailable, noCanaryData } from './guardrails.ts';
import { foldSequentialMetric, freshSequentialMetric, restartSafe } from './sequential-metric.ts';
import type { Weighed } from './sequential-verdict.ts';
import { continueVerdict, harmBound, harmVerdict, sharedIncidentVerdict } from './sequential-verdict.ts';

/** A primary is judged against the SLO only on at least this many requests. */
const sharedIncidentMinRequests = 20;
/**
 * A pause for a shared incident needs the primary's excess to be beyond chance: the Chernoff
 * bound exp(-n·KL(rate ‖ slo)) on the binomial tail is at most this.
 */
const sharedIncidentLevel = 0.001;

export function emptySequentialEvidence(policy: JudgePolicy): Evidence {
  return { ...initialEvidence(policy, freshSequentialMetric), rollbackAt: harmBound(policy) };
}

function klBernoulli(q: number, p: number): number {
  const term = (a: number, b: number): number => (a === 0 ? 0 : a * Math.log(a / b));
  return term(q, p) + term(1 - q, 1 - p);
}

interface Breach {
  readonly rate: number;
  /** Beyond chance: worth pausing for. */
  readonly clear: boolean;
}

/**
 * The canary's SLO test counts a window only when the primary's own window shows it within the
 * SLO: a primary at the SLO rate would give a window this quiet at most this often. A short
 * window at low traffic (a look of 2 scrapes) can hold a primary whose few requests happened
 * not to fail during a blip both sides share; that window says nothing against the canary alone.
 */
const sloVouchLevel = 0.05;

/** The primary's window shows it within the metric's SLO beyond chance (Chernoff bound on the binomial tail). */
function primaryWithinSlo(metric: MetricPolicy, primary: Counts): boolean {
  const requests = requestsOf(primary, metric);
  if (requests <= 0) return false;
  const rate = eventsOf(primary, metric) / requests;
  if (rate > metric.sloRate) return false;
  return Math.exp(-requests * klBernoulli(rate, metric.sloRate)) <= sloVouchLevel;
}

/**
 * The primary over the metric's SLO this interval, or null. Any breach keeps the interval out
 * of the canary's SLO test (deciding on primary data alone keeps that test valid, and a blip
 * shared by both sides is no evidence against the canary); only a clear one pauses the run.
 */
function primaryBreach(metric: MetricPolicy, primary: Counts | null): Breach | null {
  const requests = primary === null ? 0 : requestsOf(primary, metric);
  if (primary === null || requests < sharedIncidentMinRequests) return null;
  const rate = eventsOf(primary, metric) / requests;
  if (rate <= metric.sloRate) return null;
  const tail = Math.exp(-requests * klBernoulli(Math.min(rate, 1), metric.sloRate));
  return { rate, clear: tail <= sharedIncidentLevel };
}

function startOfInterval(policy: JudgePolicy, evidence: Evidence, newStep: boolean): Evidence {
  const aligned = alignEvidence(policy, evidence, freshSequentialMetric);
  return newStep ? { ...aligned, metrics: aligned.metrics.map(restartSafe) } : aligned;
}

function weigh(policy: JudgePolicy, start: Evidence, sides: { canary: Counts; primary: Counts | null }): Weighed[] {
  return metricPairs(policy, start, freshSequentialMetric).map(({ metric, current }) => {
    const breach = primaryBreach(metric, sides.primary);
    const unvouched = sides.primary !== null && !primaryWithinSlo(metric, sides.primary);
    const evidence = foldSequentialMetric(current, metric, { ...sides, sharedIncident: breach !== null || unvouched });
    return { metric, evidence, sharedRate: breach?.clear === true ? breach.rate : null };
  });
}

interface Input {
  readonly evidence: Evidence;
  readonly interval: IntervalMeasurement;
  readonly context: JudgeContext;
}

function assess(policy: JudgePolicy, input: Input): Assessment {
  // A new step restarts the safe sums even when this interval brings no data, so the claim stays per step.
  const start = startOfInterval(policy, input.evidence, input.context.newStep);
  const unavailable = metricsUnavailable(input.interval);
  if (unavailable !== null) return { evidence: start, verdict: unavailable };
  const canary = sampleCounts(input.interval.canary);
  if (!hasCanaryData(canary)) return noCanaryData(policy, start, input.context);
  const sides = { canary, primary: sampleCounts(input.interval.primary) };
  const weighed = weigh(policy, start, sides);
  const checked = gaugeChecks(policy, start, canary);
  const measuredMs = start.measuredMs + (input.interval.end - input.interval.start);
  const evidence = { ...checked.evidence, metrics: weighed.map((w) => w.evidence), intervals: start.intervals + 1, noDataStreak: 0, measuredMs, rollbackAt: harmBound(policy) };
  const verdict = catastrophe(policy, sides) ?? checked.verdict ?? harmVerdict(policy, weighed, measuredMs) ?? sharedIncidentVerdict(weighed) ?? continueVerdict(policy, weighed);
  return { evidence, verdict };
}

export function sequentialJudge(policy: JudgePolicy): Judge {
  return { assess: (evidence, interval, context) => assess(policy, { evidence, interval, context }) };
}
