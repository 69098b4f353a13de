// The decision bench's cell runner on a tiny grid: its numbers must be sane before anyone reads
// the full tables. Identical versions stay under the false-rollback bound; a canary failing 50×
// as often is always rolled back; Flagger's rule fails an idle canary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCell } from '../../bench/decisions/cell.ts';
import { checkFails, flaggerExample, flaggerStart, flaggerTick } from '../../bench/decisions/flagger.ts';
import { histogramQuantile, latencyModel, linkerdBucketsMs } from '../../bench/decisions/latency.ts';
import { baseLatency, scenarioSpecs } from '../../bench/decisions/scenarios.ts';

const horizonMs = 30 * 60_000;
const scrapeMs = 15_000;

function scenarioIndex(id: string): number {
  const index = scenarioSpecs().findIndex((s) => s.id === id);
  assert.ok(index >= 0, `scenario ${id} exists`);
  return index;
}

void describe('decision bench cells', () => {
  void it('rolls back identical versions in at most α = 5% of 200 runs with the sequential judge', () => {
    const result = runCell({ scenario: scenarioIndex('aa-0.1%'), requestsPerSecond: 100, policy: 'fledge-schedule', runs: 200, seed: 7, horizonMs, scrapeMs });
    const { summary } = result;
    assert.equal(summary.runs, 200);
    assert.ok(summary.rollbackLow <= 0.05, `false-rollback rate ${summary.rollbacks}/200 is above α`);
    assert.equal(summary.promotions + summary.rollbacks + summary.undecided, 200);
    // Same step schedule as Flagger's example: promotion after ten one-minute steps plus the metrics
    // lag, plus up to one interval until the grid point where measuring starts (runs start at 0 s
    // and their canaries are ready seconds later, so almost a whole interval here).
    assert.ok(summary.decisionMedianMin > 10 && summary.decisionMedianMin < 12, `median decision at ${summary.decisionMedianMin} min`);
  });

  void it('rolls back a canary failing 50× as often in every run, within minutes, with every Fledge policy', () => {
    for (const policy of ['fledge-schedule', 'fledge-evidence', 'fledge-threshold'] as const) {
      const result = runCell({ scenario: scenarioIndex('errors-50x-0.1%'), requestsPerSecond: 100, policy, runs: 50, seed: 3, horizonMs, scrapeMs });
      assert.equal(result.summary.rollbacks, 50, `${policy}: ${result.summary.rollbacks}/50 rolled back`);
      assert.ok(result.summary.excessFailuresRollback > 0, `${policy}: the canary served excess failures before rollback`);
    }
  });

  void it('rolls back the Flagger baseline when the canary gets no traffic for five minutes, and Fledge not', () => {
    const idle = scenarioIndex('no-traffic');
    const flagger = runCell({ scenario: idle, requestsPerSecond: 100, policy: 'flagger', runs: 50, seed: 5, horizonMs, scrapeMs });
    const fledge = runCell({ scenario: idle, requestsPerSecond: 100, policy: 'fledge-threshold', runs: 50, seed: 5, horizonMs, scrapeMs });
    assert.equal(flagger.summary.rollbacks, 50);
    assert.equal(fledge.summary.rollbacks, 0);
  });

  void it('gives the same numbers for the same seed', () => {
    const job = { scenario: scenarioIndex('errors-5x-1%'), requestsPerSecond: 10, policy: 'fledge-evidence' as const, runs: 30, seed: 11, horizonMs, scrapeMs };
    assert.deepEqual(runCell(job).summary, runCell(job).summary);
  });
});

void describe('Flagger baseline policy', () => {
  const policy = flaggerExample();
  const passing = { kind: 'values', successRate: 100, p99Ms: 100 } as const;

  void it('routes the first step without a check, promotes after the check at maxWeight passes', () => {
    let state = flaggerStart;
    let step = flaggerTick(policy, state, null);
    assert.deepEqual(step, { kind: 'continue', state: { ...state, weight: 5 }, checked: false });
    state = { ...step.state, iterations: 1 };
    for (let weight = 5; weight < 50; weight += 5) {
      step = flaggerTick(policy, state, passing);
      assert.equal(step.kind, 'continue');
      state = step.state;
    }
    assert.equal(state.weight, 50);
    assert.equal(flaggerTick(policy, state, passing).kind, 'promote');
  });

  void it('counts no data, errors and broken thresholds as failed checks and rolls back on the tick after the fifth', () => {
    assert.ok(checkFails(policy, { kind: 'values', successRate: Number.NaN, p99Ms: Number.NaN }));
    assert.ok(checkFails(policy, { kind: 'error' }));
    assert.ok(checkFails(policy, { kind: 'values', successRate: 98.9, p99Ms: 100 }));
    assert.ok(checkFails(policy, { kind: 'values', successRate: 100, p99Ms: 501 }));
    assert.ok(!checkFails(policy, { kind: 'values', successRate: 99, p99Ms: 500 }));
    let state = { weight: 10, failedChecks: 0, iterations: 2 };
    for (let i = 0; i < 5; i += 1) {
      const step = flaggerTick(policy, state, { kind: 'error' });
      assert.equal(step.kind, 'continue');
      state = step.state;
    }
    assert.equal(state.weight, 10, 'failed checks hold the weight');
    assert.equal(flaggerTick(policy, state, passing).kind, 'rollback');
  });
});

void describe('latency model', () => {
  void it('reads p99 from bucket counts as histogram_quantile does', () => {
    const counts = new Float64Array(linkerdBucketsMs.length + 1);
    counts[linkerdBucketsMs.indexOf(100)] = 98; // (50, 100]
    counts[linkerdBucketsMs.indexOf(1000)] = 2; // (500, 1000]
    assert.equal(histogramQuantile(0.99, counts), 750);
    assert.ok(Number.isNaN(histogramQuantile(0.99, new Float64Array(counts.length))));
  });

  void it('gives a healthy service a p99 near 245 ms and 0.02% of requests above 500 ms', () => {
    const model = latencyModel(baseLatency, 500);
    assert.ok(Math.abs(model.slowProbability - 2.05e-4) < 2e-5, `slow share ${model.slowProbability}`);
    const total = model.bucketProbabilities.reduce((sum, p) => sum + p, 0);
    assert.ok(Math.abs(total - 1) < 1e-9);
  });
});
