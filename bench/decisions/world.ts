// The simulated world one policy acts on: requests arrive at the cell's rate, the mesh sends the
// current weight's share to the canary, each request fails with its version's probability and
// has a latency drawn from its version's distribution. Counts are drawn per scrape slot (Poisson
// requests, Binomial failures, a multinomial latency histogram), lazily and in time order, so one
// seed gives one history. Prometheus scrapes every `scrapeMs` (random phase per run); a query
// for a window sees only the samples inside it and extrapolates as `increase()` does.
import { addHistogramDraw, histogramQuantile } from './latency.ts';
import type { Random } from './random.ts';
import type { Conditions, Scenario } from './scenarios.ts';

export interface WorldOptions {
  readonly scenario: Scenario;
  readonly requestsPerSecond: number;
  readonly scrapeMs: number;
  readonly random: Random;
  /** Draw the canary's latency histogram (policies that read p99 need it). */
  readonly histogram: boolean;
}

export interface SideCounts {
  requests: number;
  failures: number;
  slow: number;
}

interface Slot {
  readonly canary: SideCounts;
  readonly primary: SideCounts;
  readonly histogram: Float64Array | null;
  /** Canary failures beyond what the primary's failure probability gives for the same requests. */
  readonly excessFailures: number;
  readonly excessSlow: number;
}

/** One side as a query over a window reads it: extrapolated counts, or nothing. */
export interface SideReading {
  readonly requests: number;
  readonly failures: number;
  readonly slow: number;
}

export type WindowReading =
  | { readonly kind: 'down' }
  | { readonly kind: 'read'; readonly canary: SideReading; readonly primary: SideReading; readonly canarySuccessRate: number; readonly canaryP99Ms: number };

function zero(): SideCounts {
  return { requests: 0, failures: 0, slow: 0 };
}

export interface GroundTruth {
  readonly excessFailures: number;
  readonly excessSlow: number;
  readonly canaryRequests: number;
}

export class World {
  readonly #options: WorldOptions;
  readonly #origin: number;
  readonly #slots: Slot[] = [];
  readonly #weights: { at: number; weight: number }[] = [{ at: Number.NEGATIVE_INFINITY, weight: 0 }];
  readonly #bucketCount: number;

  constructor(options: WorldOptions) {
    this.#options = options;
    // Slot j covers (origin + j·S, origin + (j+1)·S]; its end is a scrape.
    this.#origin = options.random.uniform() * options.scrapeMs - options.scrapeMs;
    this.#bucketCount = options.scenario.conditionsAt(0).canaryLatency.bucketProbabilities.length;
  }

  /** The mesh routes `weight` percent to the canary from `at` on (routes take effect at once). */
  setWeight(at: number, weight: number): void {
    const last = this.#weights[this.#weights.length - 1];
    if (last !== undefined && last.weight === weight) return;
    this.#weights.push({ at, weight });
  }

  #weightAt(t: number): number {
    for (let i = this.#weights.length - 1; i >= 0; i -= 1) {
      const entry = this.#weights[i];
      if (entry !== undefined && entry.at <= t) return entry.weight;
    }
    return 0;
  }

  /** Times in (start, end) where the weight or the conditions change, with both ends. */
  #cuts(start: number, end: number): number[] {
    const inner = [...this.#weights.map((w) => w.at), ...this.#options.scenario.changes].filter((t) => t > start && t < end);
    return [start, ...[...new Set(inner)].sort((a, b) => a - b), end];
  }

  #drawSide(counts: SideCounts, input: { n: number; failure: number; slowProbability: number }): void {
    const { random } = this.#options;
    counts.requests += input.n;
    counts.failures += random.binomial(input.n, input.failure);
    counts.slow += random.binomial(input.n, input.slowProbability);
  }

  #drawRange(slot: { canary: SideCounts; primary: SideCounts; histogram: Float64Array | null; excess: number[] }, from: number, to: number): void {
    const { random, requestsPerSecond } = this.#options;
    const conditions: Conditions = this.#options.scenario.conditionsAt(from);
    const weight = this.#weightAt(from);
    const expected = (requestsPerSecond * conditions.traffic * (to - from)) / 1000;
    const canaryN = random.poisson((expected * weight) / 100);
    const primaryN = random.poisson((expected * (100 - weight)) / 100);
    const before = { failures: slot.canary.failures, slow: slot.canary.slow };
    if (slot.histogram === null) {
      this.#drawSide(slot.canary, { n: canaryN, failure: conditions.canaryFailure, slowProbability: conditions.canaryLatency.slowProbability });
    } else {
      slot.canary.requests += canaryN;
      slot.canary.failures += random.binomial(canaryN, conditions.canaryFailure);
      slot.canary.slow += addHistogramDraw(random, conditions.canaryLatency, canaryN, slot.histogram);
    }
    this.#drawSide(slot.primary, { n: primaryN, failure: conditions.primaryFailure, slowProbability: conditions.primaryLatency.slowProbability });
    slot.excess[0] = (slot.excess[0] ?? 0) + slot.canary.failures - before.failures - canaryN * conditions.primaryFailure;
    slot.excess[1] = (slot.excess[1] ?? 0) + slot.canary.slow - before.slow - canaryN * conditions.primaryLatency.slowProbability;
  }

  #drawSpan(start: number, end: number): Slot {
    const slot = { canary: zero(), primary: zero(), histogram: this.#options.histogram ? new Float64Array(this.#bucketCount) : null, excess: [0, 0] };
    const cuts = this.#cuts(Math.max(0, start), end);
    for (let i = 0; i + 1 < cuts.length; i += 1) {
      const from = cuts[i] ?? 0;
      const to = cuts[i + 1] ?? 0;
      if (to > from) this.#drawRange(slot, from, to);
    }
    return { canary: slot.canary, primary: slot.primary, histogram: slot.histogram, excessFailures: slot.excess[0] ?? 0, excessSlow: slot.excess[1] ?? 0 };
  }

  #slotStart(j: number): number {
    return this.#origin + j * this.#options.scrapeMs;
  }

  /** Slot j; drawn on first use, in order. The caller guarantees its end is in the past. */
  #slot(j: number): Slot {
    while (this.#slots.length <= j) {
      const k = this.#slots.length;
      this.#slots.push(this.#drawSpan(this.#slotStart(k), this.#slotStart(k + 1)));
    }
    const slot = this.#slots[j];
    if (slot === undefined) throw new Error(`slot ${j} missing`);
    return slot;
  }

  /**
   * What Prometheus answers at `queryAt` for `increase(...[end - start])` evaluated at `end`:
   * the counts between the first and last scrape inside (start, end], extrapolated to the
   * window's edges as Prometheus does (fully when a gap is under 1.1 scrape intervals).
   */
  read(window: { start: number; end: number }, queryAt: number): WindowReading {
    if (this.#options.scenario.prometheusDown(queryAt)) return { kind: 'down' };
    const S = this.#options.scrapeMs;
    const firstSample = Math.floor((window.start - this.#origin) / S); // slot whose end is the first scrape
    const lastSample = Math.floor((window.end - this.#origin) / S) - 1;
    const canary = zero();
    const primary = zero();
    const histogram = new Float64Array(this.#bucketCount);
    for (let j = firstSample + 1; j <= lastSample; j += 1) this.#addSlot(j, { canary, primary, histogram });
    const sampled = (lastSample - firstSample) * S;
    const factor = sampled <= 0 ? 0 : this.#extrapolation(window, { first: this.#slotStart(firstSample + 1), last: this.#slotStart(lastSample + 1), sampled, samples: lastSample - firstSample + 1 });
    const scale = (side: SideCounts): SideReading => ({ requests: side.requests * factor, failures: side.failures * factor, slow: side.slow * factor });
    const canarySuccessRate = canary.requests > 0 ? 100 * (1 - canary.failures / canary.requests) : Number.NaN;
    return { kind: 'read', canary: scale(canary), primary: scale(primary), canarySuccessRate, canaryP99Ms: histogramQuantile(0.99, histogram) };
  }

  #addSlot(j: number, into: { canary: SideCounts; primary: SideCounts; histogram: Float64Array }): void {
    const slot = this.#slot(j);
    for (const key of ['requests', 'failures', 'slow'] as const) {
      into.canary[key] += slot.canary[key];
      into.primary[key] += slot.primary[key];
    }
    if (slot.histogram !== null) for (let i = 0; i < slot.histogram.length; i += 1) into.histogram[i] = (into.histogram[i] ?? 0) + (slot.histogram[i] ?? 0);
  }

  #extrapolation(window: { start: number; end: number }, samples: { first: number; last: number; sampled: number; samples: number }): number {
    const average = samples.sampled / (samples.samples - 1);
    const toStart = samples.first - window.start;
    const toEnd = window.end - samples.last;
    const startExtension = toStart < 1.1 * average ? toStart : average / 2;
    const endExtension = toEnd < 1.1 * average ? toEnd : average / 2;
    return (samples.sampled + startExtension + endExtension) / samples.sampled;
  }

  /**
   * The canary's requests and failures in every scrape slot that ended by `until`: all Prometheus
   * could know at that time, without extrapolation (the oracle in oracle.ts reads this).
   */
  canaryScraped(until: number): { readonly requests: number; readonly failures: number } {
    let requests = 0;
    let failures = 0;
    for (let j = 0; j < this.#slotsEndedBy(until); j += 1) {
      const slot = this.#slot(j);
      requests += slot.canary.requests;
      failures += slot.canary.failures;
    }
    return { requests, failures };
  }

  /** How many slots end at or before `until` (slots 0 … that count − 1). */
  #slotsEndedBy(until: number): number {
    return Math.floor((until - this.#origin) / this.#options.scrapeMs);
  }

  /** Canary excess failures and slow requests over (0, until]. */
  truth(until: number): GroundTruth {
    const whole = this.#slotsEndedBy(until);
    let excessFailures = 0;
    let excessSlow = 0;
    let canaryRequests = 0;
    for (let j = 0; j < whole; j += 1) {
      const slot = this.#slot(j);
      excessFailures += slot.excessFailures;
      excessSlow += slot.excessSlow;
      canaryRequests += slot.canary.requests;
    }
    const partialStart = this.#slotStart(whole);
    if (until > partialStart) {
      const partial = this.#drawSpan(partialStart, until);
      excessFailures += partial.excessFailures;
      excessSlow += partial.excessSlow;
      canaryRequests += partial.canary.requests;
    }
    return { excessFailures, excessSlow, canaryRequests };
  }
}
