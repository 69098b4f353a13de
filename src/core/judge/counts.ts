// Counts as the judges use them: whole, non-negative, events never above requests.
// Prometheus extrapolates increases over a window, so raw counts can be fractional or even
// slightly negative around counter resets.
import type { Counts, EventName, MetricEvidence, MetricPolicy, Sample } from '../types.ts';

function whole(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** Rounds to the nearest integer, treats negative or non-finite values as 0, clamps events to [0, requests]. */
export function normalizeCounts(counts: Counts): Counts {
  const requests = whole(counts.requests);
  const event = (name: EventName): number => Math.min(whole(counts.events[name]), requests);
  return { ...counts, requests, events: { failures: event('failures'), slow: event('slow') } };
}

/** Normalised counts of a sample, or null when the sample holds no value. */
export function sampleCounts(sample: Sample): Counts | null {
  return sample.kind === 'value' ? normalizeCounts(sample.counts) : null;
}

/** Event share of requests; null without requests. */
export function rateOf(events: number, requests: number): number | null {
  return requests > 0 ? events / requests : null;
}

/** Canary rate ÷ primary rate; null when either rate is undefined or the primary's is 0. */
export function ratioOf(evidence: Pick<MetricEvidence, 'canaryEvents' | 'canaryRequests' | 'primaryEvents' | 'primaryRequests'>): number | null {
  const canary = rateOf(evidence.canaryEvents, evidence.canaryRequests);
  const primary = rateOf(evidence.primaryEvents, evidence.primaryRequests);
  if (canary === null || primary === null || primary === 0) return null;
  return canary / primary;
}

/** A metric's evidence with the interval's counts added (canary always, primary when measured). */
export function addCounts(evidence: MetricEvidence, metric: MetricPolicy, sides: { canary: Counts; primary: Counts | null }): MetricEvidence {
  const { canary, primary } = sides;
  const next = {
    ...evidence,
    canaryRequests: evidence.canaryRequests + canary.requests,
    canaryEvents: evidence.canaryEvents + canary.events[metric.event],
    primaryRequests: evidence.primaryRequests + (primary?.requests ?? 0),
    primaryEvents: evidence.primaryEvents + (primary?.events[metric.event] ?? 0),
  };
  return { ...next, ratio: ratioOf(next) };
}

/** Evidence of one metric before any interval: no counts, e-values 1. */
export function freshMetric(metric: MetricPolicy, logLr: Readonly<Record<string, readonly number[]>>): MetricEvidence {
  return {
    name: metric.name,
    canaryRequests: 0,
    canaryEvents: 0,
    primaryRequests: 0,
    primaryEvents: 0,
    ratio: null,
    harm: 1,
    safe: 1,
    logLr,
  };
}
