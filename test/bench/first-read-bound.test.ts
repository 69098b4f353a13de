// The first-read bound (bench/decisions/first-read-bound.ts): the most powerful level-α test at
// the decision bench's first read. Checked against what must hold of any such test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firstReadMs, firstReadPower, type FirstRead } from '../../bench/decisions/first-read-bound.ts';

const world: FirstRead = { rps: 100, weight: 5, base: 0.001, factor: 10, alpha: 0.05, scrapeMs: 15_000, firstStepMs: 5_000 };

describe('the first-read bound', () => {
  it('comes 4 scrapes after the new revision: a window of 2 scrapes, read 2 scrapes after it ends', () => {
    assert.equal(firstReadMs(world), 60_000);
  });

  it('is α when the canary is no worse (no test tells identical versions apart beyond its level)', () => {
    assert.ok(Math.abs(firstReadPower({ ...world, factor: 1 }) - 0.05) < 1e-9);
  });

  it('is everything at level 1, and grows with α and with the regression', () => {
    assert.ok(Math.abs(firstReadPower({ ...world, alpha: 1 }) - 1) < 1e-9);
    assert.ok(firstReadPower({ ...world, alpha: 0.01 }) < firstReadPower(world));
    assert.ok(firstReadPower(world) < firstReadPower({ ...world, factor: 50 }));
  });

  it('keeps a 10× regression over 0.1% at 100 req/s from being rolled back at the first read in most runs', () => {
    const power = firstReadPower(world);
    // The canary serves 5 req/s for 10–25 s before its last scrape in the window: 0.5–1.25 failures expected.
    assert.ok(power > 0.3 && power < 0.5, `power ${power}`);
  });
});
