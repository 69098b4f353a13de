// The simulation is only as good as its samplers: check their means and variances on both
// sides of the normal-approximation cutoff, and that a seed fixes the sequence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seeded, wilson } from '../../support/sim.ts';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i += 1) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: squares / n - mean * mean };
}

function near(actual: number, expected: number, relative: number): void {
  assert.ok(Math.abs(actual - expected) <= relative * expected, `${actual} not within ${relative * 100}% of ${expected}`);
}

void describe('simulation samplers', () => {
  void it('repeats the same sequence for the same seed', () => {
    const a = seeded(42);
    const b = seeded(42);
    assert.deepEqual([a.uniform(), a.poisson(3), a.binomial(100, 0.1)], [b.uniform(), b.poisson(3), b.binomial(100, 0.1)]);
    assert.notEqual(seeded(1).uniform(), seeded(2).uniform());
  });

  for (const mean of [0.5, 6, 40, 600, 60_000]) {
    void it(`draws Poisson(${mean}) with mean and variance ${mean}`, () => {
      const random = seeded(7);
      const { mean: m, variance } = moments(() => random.poisson(mean), 20_000);
      near(m, mean, 0.03);
      near(variance, mean, 0.08);
    });
  }

  for (const [n, p] of [[60, 0.01], [6000, 0.001], [54_000, 0.01], [100, 0.9], [1000, 0.5]] as const) {
    void it(`draws Binomial(${n}, ${p}) with mean np and variance np(1 − p)`, () => {
      const random = seeded(11);
      const { mean, variance } = moments(() => random.binomial(n, p), 20_000);
      near(mean, n * p, 0.03);
      near(variance, n * p * (1 - p), 0.08);
    });
  }

  void it('handles the edges of Binomial and Poisson', () => {
    const random = seeded(3);
    assert.deepEqual([random.binomial(0, 0.5), random.binomial(10, 0), random.binomial(10, 1), random.poisson(0)], [0, 0, 10, 0]);
  });

  void it('gives a Wilson interval that contains the observed share', () => {
    const { lower, upper } = wilson(3, 1000);
    assert.ok(lower < 0.003 && upper > 0.003 && upper < 0.01);
    assert.deepEqual(wilson(0, 0), { lower: 0, upper: 1 });
  });
});
