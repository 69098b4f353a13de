// Request latency of a version: a log-normal body with an optional tail of requests delayed by a
// fixed amount. What the mesh exports is a histogram with the Linkerd proxy's bucket edges, so
// the bench reads p99 the way Prometheus's histogram_quantile does, and "slow" as the requests
// above the latency edge (a bucket edge), exactly as the analysis template counts them.
import type { Random } from './random.ts';

/** The Linkerd proxy's latency bucket edges in ms (analysis/linkerd.yaml `latencyBucketsMs`). */
export const linkerdBucketsMs: readonly number[] = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000, 50000,
];

export interface LatencyProfile {
  /** Median of the log-normal body in ms. */
  readonly medianMs: number;
  /** Standard deviation of log(latency). */
  readonly sigma: number;
  /** Share of requests delayed by `tailAddMs` on top of the body. */
  readonly tailShare: number;
  readonly tailAddMs: number;
}

/** A profile with its bucket probabilities computed once. */
export interface LatencyModel {
  readonly profile: LatencyProfile;
  /** Probability of each bucket, non-cumulative; the last entry is the +Inf bucket. */
  readonly bucketProbabilities: Float64Array;
  /** Probability that a request is slower than the latency edge. */
  readonly slowProbability: number;
  /** Index of the first bucket above the edge (requests in it and later ones are slow). */
  readonly firstSlowBucket: number;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function logNormalCdf(ms: number, median: number, sigma: number): number {
  return ms <= 0 ? 0 : normalCdf(Math.log(ms / median) / sigma);
}

/** P(latency ≤ ms). */
export function latencyCdf(profile: LatencyProfile, ms: number): number {
  const body = logNormalCdf(ms, profile.medianMs, profile.sigma);
  const tail = logNormalCdf(ms - profile.tailAddMs, profile.medianMs, profile.sigma);
  return (1 - profile.tailShare) * body + profile.tailShare * tail;
}

/** Precomputes a profile's bucket probabilities against `edges` and the slow share above `edgeMs`. */
export function latencyModel(profile: LatencyProfile, edgeMs: number, edges: readonly number[] = linkerdBucketsMs): LatencyModel {
  const probabilities = new Float64Array(edges.length + 1);
  let previous = 0;
  edges.forEach((edge, i) => {
    const cumulative = latencyCdf(profile, edge);
    probabilities[i] = Math.max(0, cumulative - previous);
    previous = cumulative;
  });
  probabilities[edges.length] = Math.max(0, 1 - previous);
  const firstSlowBucket = edges.findIndex((edge) => edge > edgeMs);
  return {
    profile,
    bucketProbabilities: probabilities,
    slowProbability: 1 - latencyCdf(profile, edgeMs),
    firstSlowBucket: firstSlowBucket < 0 ? edges.length : firstSlowBucket,
  };
}

/** Adds a multinomial draw of `n` requests over the model's buckets to `into` (conditional binomials). */
export function addHistogramDraw(random: Random, model: LatencyModel, n: number, into: Float64Array): number {
  let remaining = n;
  let mass = 1;
  let slow = 0;
  const probabilities = model.bucketProbabilities;
  for (let i = 0; i < probabilities.length && remaining > 0; i += 1) {
    const p = probabilities[i] ?? 0;
    const drawn = i === probabilities.length - 1 ? remaining : random.binomial(remaining, mass > 0 ? Math.min(1, p / mass) : 0);
    into[i] = (into[i] ?? 0) + drawn;
    if (i >= model.firstSlowBucket) slow += drawn;
    remaining -= drawn;
    mass -= p;
  }
  return slow;
}

/**
 * Prometheus's histogram_quantile over non-cumulative bucket counts: linear interpolation inside
 * the bucket that holds the rank; the largest finite edge when the rank is in +Inf; NaN when empty.
 */
export function histogramQuantile(q: number, counts: Float64Array, edges: readonly number[] = linkerdBucketsMs): number {
  let total = 0;
  for (const count of counts) total += count;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < edges.length; i += 1) {
    const count = counts[i] ?? 0;
    if (below + count >= rank && count > 0) {
      const start = i === 0 ? 0 : (edges[i - 1] ?? 0);
      const end = edges[i] ?? 0;
      return start + (end - start) * ((rank - below) / count);
    }
    below += count;
  }
  return edges[edges.length - 1] ?? Number.NaN;
}
