// Folds one interval into one metric's sequential evidence: the harm e-value
// E_harm = (E_rel + E_slo) / 2 and the per-step safe e-value E_safe = (E_safe_rel + E_safe_abs) / 2.
import type { Counts, MetricEvidence, MetricPolicy } from '../types.ts';
import { addCounts, eventsOf, freshMetric, requestsOf } from './counts.ts';
import type { EventSplit } from './e-process.ts';
import {
  addLogs, harmAbsolute, harmRatios, harmRelative, mixture, safeAbsolute, safeFactors, safeRatios, safeRelative, sloFactors,
} from './e-process.ts';

/** Keys of `MetricEvidence.logLr` and the grid each array is aligned to. */
const grids = { rel: harmRatios, slo: sloFactors, safeRel: safeRatios, safeAbs: safeFactors } as const;
type SumKey = keyof typeof grids;

function zeros(length: number): number[] {
  return new Array<number>(length).fill(0);
}

/** The running sums under `key`, aligned to its grid (missing or short arrays count as 0). */
function sums(evidence: MetricEvidence, key: SumKey): number[] {
  return addLogs(evidence.logLr[key], zeros(grids[key].length));
}

function withSums(evidence: MetricEvidence, logLr: Record<SumKey, number[]>): MetricEvidence {
  const harm = (mixture(logLr.rel) + mixture(logLr.slo)) / 2;
  const safe = (mixture(logLr.safeRel) + mixture(logLr.safeAbs)) / 2;
  return { ...evidence, harm, safe, logLr };
}

export function freshSequentialMetric(metric: MetricPolicy): MetricEvidence {
  const logLr = { rel: zeros(harmRatios.length), slo: zeros(sloFactors.length), safeRel: zeros(safeRatios.length), safeAbs: zeros(safeFactors.length) };
  return freshMetric(metric, logLr);
}

/** Evidence with the safe sums restarted: each step makes its own non-inferiority claim. */
export function restartSafe(evidence: MetricEvidence): MetricEvidence {
  const logLr = { rel: sums(evidence, 'rel'), slo: sums(evidence, 'slo'), safeRel: zeros(safeRatios.length), safeAbs: zeros(safeFactors.length) };
  return withSums(evidence, logLr);
}

/** The interval's events split between the sides, or null when it says nothing about their ratio. */
function eventSplit(metric: MetricPolicy, canary: Counts, primary: Counts | null): EventSplit | null {
  if (primary === null) return null;
  const canaryEvents = eventsOf(canary, metric);
  const primaryEvents = eventsOf(primary, metric);
  const canaryRequests = requestsOf(canary, metric);
  const share = canaryRequests / (canaryRequests + requestsOf(primary, metric));
  if (canaryEvents + primaryEvents === 0 || !(share > 0 && share < 1)) return null;
  return { canaryEvents, primaryEvents, share };
}

export interface MetricInterval {
  readonly canary: Counts;
  /** Null when the primary had no data: only the absolute tests learn from the interval. */
  readonly primary: Counts | null;
  /** The primary breaks this metric's SLO: the absolute harm test skips the interval. */
  readonly sharedIncident: boolean;
}

export function foldSequentialMetric(evidence: MetricEvidence, metric: MetricPolicy, interval: MetricInterval): MetricEvidence {
  const { canary, primary, sharedIncident } = interval;
  const split = eventSplit(metric, canary, primary);
  const tally = { requests: requestsOf(canary, metric), events: eventsOf(canary, metric) };
  const logLr = {
    rel: split === null ? sums(evidence, 'rel') : addLogs(evidence.logLr['rel'], harmRelative(split)),
    slo: sharedIncident ? sums(evidence, 'slo') : addLogs(evidence.logLr['slo'], harmAbsolute(tally, metric.sloRate)),
    safeRel: split === null ? sums(evidence, 'safeRel') : addLogs(evidence.logLr['safeRel'], safeRelative(split, metric.rMax)),
    safeAbs: addLogs(evidence.logLr['safeAbs'], safeAbsolute(tally, metric.sloRate)),
  };
  return withSums(addCounts(evidence, metric, { canary, primary }), logLr);
}
