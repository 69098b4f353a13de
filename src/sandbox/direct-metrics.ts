// The sandbox's MetricsSource when no Prometheus is installed: the same counts the Linkerd
// template would give, computed straight from the simulated pods' counters. Deployment totals
// are snapshotted every tick; an interval [start, end) is the difference of the last snapshots
// at or before each end, so it sees exactly what a scrape at those times would have seen. A
// request reading one scrape further back (lookbackMs) gets those counts as increase() returns
// them over that range: extrapolated by range ÷ window, which the judge deflates back.
import type { Counts, IntervalMeasurement, Sample } from '../core/types.ts';
import type { MeasureRequest, MetricsSource } from '../ports.ts';
import { bucketEdgesMs, emptyTotals, type PodMetrics, type Totals } from './pod-metrics.ts';

export const directSourceLabel = 'direct metrics source (Prometheus not installed)';

interface Snapshot {
  readonly at: number;
  readonly totals: ReadonlyMap<string, Totals>;
}

export interface DirectMetrics extends MetricsSource {
  readonly label: string;
  /** Records the counters as of `at` (call once per traffic tick). */
  snapshot(at: number): void;
}

/** How long snapshots are kept: longer than any analysis window the sandbox uses. */
const retentionMs = 30 * 60_000;

function copy(totals: Totals): Totals {
  return { ...totals, buckets: [...totals.buckets] };
}

function minus(later: Totals, earlier: Totals): Totals {
  return {
    requests: later.requests - earlier.requests,
    failures: later.failures - earlier.failures,
    buckets: later.buckets.map((count, index) => count - (earlier.buckets[index] ?? 0)),
    sumMs: later.sumMs - earlier.sumMs,
  };
}

/** histogram_quantile's linear interpolation inside the bucket holding the quantile. */
export function quantileMs(totals: Totals, q: number): number | undefined {
  if (totals.requests <= 0) return undefined;
  const rank = q * totals.requests;
  const index = totals.buckets.findIndex((count) => count >= rank);
  if (index === -1) return bucketEdgesMs[bucketEdgesMs.length - 1];
  const lowerEdge = index === 0 ? 0 : (bucketEdgesMs[index - 1] ?? 0);
  const lowerCount = index === 0 ? 0 : (totals.buckets[index - 1] ?? 0);
  const upperEdge = bucketEdgesMs[index] ?? lowerEdge;
  const inBucket = (totals.buckets[index] ?? 0) - lowerCount;
  return inBucket <= 0 ? upperEdge : lowerEdge + ((upperEdge - lowerEdge) * (rank - lowerCount)) / inBucket;
}

/** The Sample for one deployment's counts over an interval, like the Linkerd template's queries. */
export function sampleOf(totals: Totals, latencyEdgeMs: number): Sample {
  const edge = bucketEdgesMs.indexOf(latencyEdgeMs as (typeof bucketEdgesMs)[number]);
  if (edge === -1) return { kind: 'error', message: `latency edge ${latencyEdgeMs} ms is not a bucket edge of the simulated proxies` };
  if (totals.requests <= 0) return { kind: 'no-data' };
  const p99Ms = quantileMs(totals, 0.99);
  const counts: Counts = {
    requests: totals.requests,
    events: { failures: totals.failures, slow: totals.requests - (totals.buckets[edge] ?? 0) },
    successRate: 100 * (1 - totals.failures / totals.requests),
    ...(p99Ms === undefined ? {} : { p99Ms }),
  };
  return { kind: 'value', counts };
}

/** Counts of [start, end) as increase() over the window and `lookbackMs` before it returns them. */
function extrapolated(sample: Sample, request: MeasureRequest): Sample {
  const window = request.end - request.start;
  const lookback = Math.max(0, request.lookbackMs ?? 0);
  if (sample.kind !== 'value' || lookback === 0 || !(window > 0)) return sample;
  const factor = (window + lookback) / window;
  const { counts } = sample;
  const events = { failures: counts.events.failures * factor, slow: counts.events.slow * factor };
  return { kind: 'value', counts: { ...counts, requests: counts.requests * factor, events } };
}

export function createDirectMetrics(metrics: PodMetrics): DirectMetrics {
  const snapshots: Snapshot[] = [];

  const totalsAt = (id: string, at: number): Totals => {
    for (let index = snapshots.length - 1; index >= 0; index -= 1) {
      const snapshot = snapshots[index];
      if (snapshot !== undefined && snapshot.at <= at) return snapshot.totals.get(id) ?? emptyTotals();
    }
    return emptyTotals();
  };

  const side = (request: MeasureRequest, workload: string): Sample => {
    const id = `${request.namespace}/${workload}`;
    return extrapolated(sampleOf(minus(totalsAt(id, request.end), totalsAt(id, request.start)), request.latencyEdgeMs), request);
  };

  return {
    label: directSourceLabel,
    snapshot(at) {
      const totals = new Map<string, Totals>();
      for (const id of metrics.deploymentIds()) {
        const [namespace = '', name = ''] = id.split('/');
        const current = metrics.deploymentTotals(namespace, name);
        if (current !== undefined) totals.set(id, copy(current));
      }
      snapshots.push({ at, totals });
      while ((snapshots[0]?.at ?? at) < at - retentionMs) snapshots.shift();
    },
    measure(request): Promise<IntervalMeasurement> {
      const { start, end } = request;
      return Promise.resolve({ start, end, canary: side(request, request.canary), primary: side(request, request.primary) });
    },
  };
}
