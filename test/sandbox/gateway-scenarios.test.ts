// The sandbox through a Gateway API HTTPRoute, headless with a fixed seed: the simulated mesh
// routes by the route Fledge writes (and reports it accepted, as an implementation does); the
// A/B scenario sends only the testers' requests to the canary.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSandbox, type SandboxOptions, type SandboxResult } from '../../src/sandbox/run.ts';
import type { ScenarioName } from '../../src/sandbox/scenarios.ts';

function play(scenario: ScenarioName, extra: Partial<SandboxOptions> = {}): Promise<SandboxResult> {
  return runSandbox({ scenario, seed: 1, speed: 2, metrics: 'direct', write: () => undefined, isTty: false, ...extra });
}

describe('sandbox through an HTTPRoute (seed 1)', { concurrency: true, timeout: 300_000 }, () => {
  it('--router gateway-api: the good release is promoted and the bad one rolled back', async () => {
    const result = await play('default', { router: 'gateway-api' });
    assert.deepEqual(result.releases.map((r) => r.ending), ['promoted', 'rolled-back']);
    assert.ok(result.releases.every((r) => r.canaryRequests > 0), 'the canary took traffic through the route');
    assert.equal(result.ok, true);
  });

  it('--scenario ab: only requests carrying x-beta: 1 reach the canary; promoted, then rolled back', async () => {
    const lines: string[] = [];
    const result = await play('ab', { write: (text) => lines.push(text) });
    assert.deepEqual(result.releases.map((r) => r.ending), ['promoted', 'rolled-back']);
    for (const release of result.releases) {
      assert.ok(release.canaryRequests > 0, `${release.image}: the canary took the testers' requests`);
      assert.equal(release.canaryUnmatched, 0, `${release.image}: no request without the header reached the canary`);
    }
    assert.match(lines.join(''), /A\/B podinfo:1\.1: \d+ of the canary's \d+ requests matched; 0 did not/);
    assert.equal(result.ok, true);
  });
});
