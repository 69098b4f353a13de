// Seeded random helpers for the decision bench (a copy of test/support/sim.ts, so bench/ does not
// import test/): a small PRNG and Poisson/Binomial samplers that stay fast for large means
// (normal approximation with continuity correction above a variance of 50, exact inversion
// below). Deterministic for a given seed.

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  poisson(mean: number): number;
  binomial(n: number, p: number): number;
}

/** mulberry32: a 32-bit PRNG, good enough for simulations and tiny. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const normalCutoff = 50;

export function seeded(seed: number): Random {
  const uniform = mulberry32(seed);
  let spare: number | null = null;

  // Box–Muller, keeping the second value for the next call.
  const normal = (): number => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };

  const poisson = (mean: number): number => {
    if (mean <= 0) return 0;
    if (mean > normalCutoff) return Math.max(0, Math.floor(mean + Math.sqrt(mean) * normal() + 0.5));
    const u = uniform();
    let term = Math.exp(-mean);
    let cumulative = term;
    let x = 0;
    while (u > cumulative && x < 10 * normalCutoff) {
      x += 1;
      term *= mean / x;
      cumulative += term;
    }
    return x;
  };

  const binomial = (n: number, p: number): number => {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - binomial(n, 1 - p);
    const variance = n * p * (1 - p);
    if (variance > normalCutoff) return Math.min(n, Math.max(0, Math.floor(n * p + Math.sqrt(variance) * normal() + 0.5)));
    const u = uniform();
    const odds = p / (1 - p);
    let term = Math.pow(1 - p, n);
    let cumulative = term;
    let x = 0;
    while (u > cumulative && x < n) {
      term *= ((n - x) / (x + 1)) * odds;
      x += 1;
      cumulative += term;
    }
    return x;
  };

  return { uniform, normal, poisson, binomial };
}

/** Wilson score interval for k successes in n trials (z = 1.96 → 95%). */
export function wilson(k: number, n: number, z = 1.96): { lower: number; upper: number } {
  if (n === 0) return { lower: 0, upper: 1 };
  const phat = k / n;
  const z2 = z * z;
  const centre = (phat + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** A 32-bit seed from several integers (FNV-1a over their bytes), so each cell and run has its own stream. */
export function mixSeed(...parts: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    let value = part >>> 0;
    for (let i = 0; i < 4; i += 1) {
      hash = Math.imul(hash ^ (value & 0xff), 0x01000193) >>> 0;
      value >>>= 8;
    }
  }
  return hash >>> 0;
}
