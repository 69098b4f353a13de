// Seeded random helpers for the decision bench: the sandbox's PRNG and samplers (Poisson and
// Binomial that stay fast for large means), the Wilson interval, and per-cell seeds.
export { seeded, type Random } from '../../src/sandbox/random.ts';
export { wilson } from '../../test/support/sim.ts';

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
