// The oracle of bench/decisions/oracle.ts: a sequential probability ratio test told both failure
// rates. Checked against what must hold of it for its figures to mean what the docs say.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { oracleCell, runOracle, type OracleSettings } from '../../bench/decisions/oracle.ts';
import { seeded, wilson } from '../../bench/decisions/random.ts';
import { buildScenario, minuteMs, scenarioSpecs } from '../../bench/decisions/scenarios.ts';
import { World } from '../../bench/decisions/world.ts';

const settings: OracleSettings = { scrapeMs: 15_000, alpha: 0.05, horizonMs: 60 * minuteMs };

function scenario(id: string) {
  const spec = scenarioSpecs().find((s) => s.id === id);
  assert.ok(spec !== undefined, id);
  return buildScenario(spec);
}

describe('the oracle judge', () => {
  it('rolls back identical versions in at most α of runs (Wilson upper bound), however long it looks', () => {
    for (const requestsPerSecond of [10, 100]) {
      const summary = oracleCell({ scenario: 'aa-0.1%', requestsPerSecond, runs: 400, seed: 7, settings });
      assert.ok(wilson(summary.rollbacks, summary.runs).upper <= 0.05, `${summary.rollbacks} of 400 at ${requestsPerSecond} req/s`);
    }
  });

  it('decides no sooner than the first read, 4 scrapes after the new revision, even when every canary request fails', () => {
    const world = new World({ scenario: scenario('errors-500x-1%'), requestsPerSecond: 1000, scrapeMs: 15_000, random: seeded(3), histogram: false });
    const outcome = runOracle(world, scenario('errors-500x-1%'), settings);
    assert.equal(outcome.ending, 'rollback');
    assert.equal(outcome.decidedAtMs, 60_000);
  });

  it('rolls back a larger regression sooner and with fewer failed requests than the same test of a smaller one', () => {
    const ten = oracleCell({ scenario: 'errors-10x-0.1%', requestsPerSecond: 100, runs: 200, seed: 1, settings });
    const fifty = oracleCell({ scenario: 'errors-50x-0.1%', requestsPerSecond: 100, runs: 200, seed: 1, settings });
    assert.equal(fifty.rollbacks, 200);
    assert.ok(fifty.rollbackMedianMin < ten.rollbackMedianMin, `${fifty.rollbackMedianMin} against ${ten.rollbackMedianMin} min`);
  });

  it('sees only what was scraped by then: the canary\'s requests of whole scrape slots', () => {
    const world = new World({ scenario: scenario('errors-50x-0.1%'), requestsPerSecond: 1000, scrapeMs: 15_000, random: seeded(5), histogram: false });
    world.setWeight(0, 50);
    const early = world.canaryScraped(20_000);
    const later = world.canaryScraped(60_000);
    // Slots end on a random phase within each 15 s: by 20 s one or two have ended, by 60 s three or four more.
    assert.ok(early.requests > 0 && early.requests < 0.5 * 1000 * 20 * 1.2, `${early.requests} requests by 20 s`);
    assert.ok(later.requests > early.requests + 0.5 * 1000 * 30, `${later.requests} requests by 60 s`);
    assert.ok(later.failures <= later.requests);
  });
});
