// The arithmetic of the sequential judge: Bernoulli likelihood ratios against fixed grids of
// alternatives, kept as running log sums and mixed uniformly. A uniform mixture of test
// supermartingales is one too, so Ville's inequality bounds P(sup E ≥ 1/a) ≤ a for any number
// of looks. Pure functions of numbers; the grids are part of the evidence's JSON shape.

/** Harm, relative: canary rate = r × primary rate. */
export const harmRatios: readonly number[] = [1.25, 1.5, 2, 3, 5, 10, 20, 50, 100];
/** Harm, absolute: canary rate = min(k × SLO rate, maxRate). */
export const sloFactors: readonly number[] = [1.5, 2, 3, 5, 10, 20];
/** Safe, relative: canary rate = r' × primary rate, against the null r = rMax (only r' < rMax count). */
export const safeRatios: readonly number[] = [1, 0.75, 0.5];
/** Safe, absolute: canary rate = SLO rate ÷ k, against the null "canary rate ≥ SLO rate". */
export const safeFactors: readonly number[] = [2, 5, 10];

/** Log sums are clamped so e-values stay finite and the evidence serialises to JSON. */
export const logBound = 700;
const maxRate = 0.999;

/** Share of an interval's events the canary should carry when its rate is r × the primary's and it served share s of requests. */
export function canaryEventShare(r: number, s: number): number {
  return (r * s) / (r * s + 1 - s);
}

/** Bernoulli trials split into hits and misses: log of P(data | p1) ÷ P(data | p0). Requires 0 < p0, p1 < 1. */
export function bernoulliLogLr(trials: { readonly hits: number; readonly misses: number }, p1: number, p0: number): number {
  const hits = trials.hits === 0 ? 0 : trials.hits * Math.log(p1 / p0);
  const misses = trials.misses === 0 ? 0 : trials.misses * Math.log((1 - p1) / (1 - p0));
  return hits + misses;
}

export function clampLog(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(logBound, Math.max(-logBound, value));
}

/** Adds increments to running sums (missing entries count as 0), clamped. Aligned to `length`. */
export function addLogs(sums: readonly number[] | undefined, increments: readonly number[]): number[] {
  return increments.map((increment, i) => clampLog((sums?.[i] ?? 0) + increment));
}

/** Uniform mixture of the likelihood ratios whose logs are `sums`: an e-value. Empty → 1. */
export function mixture(sums: readonly number[]): number {
  if (sums.length === 0) return 1;
  return sums.reduce((total, sum) => total + Math.exp(clampLog(sum)), 0) / sums.length;
}

/** Events of each side in one interval, as the relative tests see them. */
export interface EventSplit {
  readonly canaryEvents: number;
  readonly primaryEvents: number;
  /** Measured canary share of the interval's requests, strictly between 0 and 1. */
  readonly share: number;
}

/** Relative harm increments, one per harm ratio: H0 "same rate" (q = s) against q_r. */
export function harmRelative(split: EventSplit): number[] {
  const trials = { hits: split.canaryEvents, misses: split.primaryEvents };
  return harmRatios.map((r) => bernoulliLogLr(trials, canaryEventShare(r, split.share), split.share));
}

/** Relative safe increments, one per safe ratio: H0' "canary = rMax × primary" against r' < rMax. */
export function safeRelative(split: EventSplit, rMax: number): number[] {
  const trials = { hits: split.canaryEvents, misses: split.primaryEvents };
  const q0 = canaryEventShare(rMax, split.share);
  return safeRatios.map((r) => (r < rMax ? bernoulliLogLr(trials, canaryEventShare(r, split.share), q0) : 0));
}

/** The canary's own requests and events in one interval. */
export interface Tally {
  readonly requests: number;
  readonly events: number;
}

function tallyTrials(tally: Tally): { hits: number; misses: number } {
  return { hits: tally.events, misses: tally.requests - tally.events };
}

/** Absolute harm increments: H0 "canary rate ≤ sloRate" against min(k × sloRate, 0.999). */
export function harmAbsolute(tally: Tally, sloRate: number): number[] {
  return sloFactors.map((k) => {
    const p1 = Math.min(k * sloRate, maxRate);
    return sloRate > 0 && p1 > sloRate ? bernoulliLogLr(tallyTrials(tally), p1, sloRate) : 0;
  });
}

/** Absolute safe increments: H0 "canary rate ≥ sloRate" against sloRate ÷ k. */
export function safeAbsolute(tally: Tally, sloRate: number): number[] {
  const usable = sloRate > 0 && sloRate < 1;
  return safeFactors.map((k) => (usable ? bernoulliLogLr(tallyTrials(tally), sloRate / k, sloRate) : 0));
}
