// Counts as the judges use them: whole, non-negative, events never above requests.
// Prometheus extrapolates increases over a window, so raw counts can be fractional or even
// slightly negative around counter resets.
import type { Counts, EventName, ExtraCounts, MetricEvidence, MetricPolicy, Sample } from '../types.ts';

function whole(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** Rounds to the nearest integer, treats negative or non-finite values as 0, clamps events to [0, requests]. */
export function normalizeCounts(counts: Counts): Counts {
  const requests = whole(counts.requests);
  const event = (name: EventName): number => Math.min(whole(counts.events[name]), requests);
  const normalized = { ...counts, requests, events: { failures: event('failures'), slow: event('slow') } };
  return counts.extra === undefined ? normalized : { ...normalized, extra: normalizeExtra(counts.extra, requests) };
}

function normalizeExtra(extra: Readonly<Record<string, ExtraCounts>>, requests: number): Record<string, ExtraCounts> {
  return Object.fromEntries(Object.entries(extra).map(([name, counts]) => {
    const own = counts.requests === undefined ? undefined : whole(counts.requests);
    const events = Math.min(whole(counts.events), own ?? requests);
    return [name, own === undefined ? { events } : { events, requests: own }];
  }));
}

/** The events a metric judges in these counts: a built-in event, or its extra metric's (0 when the query found none). */
export function eventsOf(counts: Counts, metric: Pick<MetricPolicy, 'name' | 'event'>): number {
  return metric.event === 'extra' ? (counts.extra?.[metric.name]?.events ?? 0) : counts.events[metric.event];
}

/** The requests a metric's events are a share of: the side's, or the extra metric's own. */
export function requestsOf(counts: Counts, metric: Pick<MetricPolicy, 'name' | 'event'>): number {
  return metric.event === 'extra' ? (counts.extra?.[metric.name]?.requests ?? counts.requests) : counts.requests;
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
    canaryRequests: evidence.canaryRequests + requestsOf(canary, metric),
    canaryEvents: evidence.canaryEvents + eventsOf(canary, metric),
    primaryRequests: evidence.primaryRequests + (primary === null ? 0 : requestsOf(primary, metric)),
    primaryEvents: evidence.primaryEvents + (primary === null ? 0 : eventsOf(primary, metric)),
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
