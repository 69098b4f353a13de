// How likely each sandbox scenario is to end as it claims, under the judge's own model. The
// sandbox runs in wall-clock time: on a busy machine its looks land at other moments and one
// seed gives another sample path, so a scenario's outcome is only as certain as its effect is
// large. Here every scenario's release is replayed many times in simulated time through the real
// state machine (`decide` with the sandbox's resolved policy: its annotations, its 1 s scrape,
// its speed), against the decision bench's world (Poisson traffic split by the written weights,
// Binomial failures, log-normal latency, scrapes at a random phase, `increase()` extrapolation).
// Each expected ending must hold in at least 99.9% of 5000 seeded runs (the figure and its Wilson
// 95% interval are in the message), which is what lets scenarios.test.ts assert one outcome per
// scenario. Pure simulation: the result does not depend on the machine.
//
// Measured (this file): 5000/5000 for every release that should be rolled back; 4996–4997/5000 for
// the good ones since the judge looks every 2 scrapes (its α-bounded false alarms, under 0.1%). Earlier: 5000/5000 in every case. Before, at --speed 2, the small regression (then
// 1000 rps, timings ×3) was rolled back in 93% of paths, and two identical versions at 200 rps
// were promoted in 99.85% (the judge's α-bounded false alarms, about 0.1%): so the demo's good
// release is now a small fix, and the small regression gets 2000 rps and timings ×4.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFledge } from '../../bench/decisions/fledge-run.ts';
import { latencyModel } from '../../bench/decisions/latency.ts';
import type { Ending } from '../../bench/decisions/outcome.ts';
import type { Conditions, Scenario as WorldScenario } from '../../bench/decisions/scenarios.ts';
import { World } from '../../bench/decisions/world.ts';
import { parseAnnotations } from '../../src/config/annotations.ts';
import type { ReleasePolicy } from '../../src/core/types.ts';
import { appDeployment } from '../../src/sandbox/cluster-setup.ts';
import { sandboxCatalog, sandboxScrapeMs, timingFor } from '../../src/sandbox/run.ts';
import { rolloutHook } from '../../src/sandbox/loadtester.ts';
import { behaviourOf, scenarios, type Outcome, type ScenarioName } from '../../src/sandbox/scenarios.ts';
import type { Behaviour } from '../../src/sandbox/traffic.ts';
import { seeded, wilson } from '../support/sim.ts';
import { customTemplate } from '../../src/sandbox/analysis-template.ts';

/** The speed scenarios.test.ts and `npm start` play at (`--speed 2` and the default 1). */
const speeds = [1, 2] as const;
const runs = 5000;
const required = 0.999;

async function sandboxPolicy(name: ScenarioName, speed: number): Promise<ReleasePolicy> {
  const scenario = scenarios[name];
  const timing = timingFor(speed / (scenario.stretch ?? 1));
  // The quiet scenario's rollout hook is part of its policy (it calls for a look at every interval start).
  const hooks = scenario.loadtester === undefined ? {} : rolloutHook('http://127.0.0.1:8080', scenario, scenario.loadtester.rate);
  const annotations = appDeployment(scenario, timing, hooks).metadata?.annotations ?? {};
  const catalog = await sandboxCatalog();
  // custom-analysis names its own template (three judged metrics: M = 3). The model's world
  // reports no extra counts, so its server-errors metric learns nothing here: errors alone must decide.
  const custom = scenario.analysisTemplate === undefined ? [] : [customTemplate(catalog, { name: scenario.analysisTemplate, scrapeMs: sandboxScrapeMs })];
  const parsed = parseAnnotations(annotations, { ...catalog, analysis: new Map([...catalog.analysis, ...custom.map((t) => [t.name, t] as const)]) });
  if (!parsed.ok) throw new Error(`the sandbox's annotations do not parse: ${JSON.stringify(parsed.issues)}`);
  return parsed.config.policy;
}

interface Replayed {
  readonly canary: Behaviour;
  readonly primary: Behaviour;
  readonly edgeMs: number;
  /** The sandbox's metrics outage, in simulated ms since the release began. */
  readonly outage: { readonly fromMs: number; readonly toMs: number } | null;
}

function worldScenario(input: Replayed): WorldScenario {
  const model = (b: Behaviour): ReturnType<typeof latencyModel> =>
    latencyModel({ medianMs: b.latencyMedianMs, sigma: b.latencySigma, tailShare: 0, tailAddMs: 0 }, input.edgeMs);
  const conditions: Conditions = {
    traffic: 1,
    canaryFailure: input.canary.failureRate,
    primaryFailure: input.primary.failureRate,
    canaryLatency: model(input.canary),
    primaryLatency: model(input.primary),
  };
  return {
    id: 'sandbox', label: 'sandbox', baseFailure: input.primary.failureRate, failureFactor: 1,
    canaryLatency: conditions.canaryLatency.profile, incident: null, successRateMin: 99, changes: [],
    conditionsAt: () => conditions,
    prometheusDown: (t) => input.outage !== null && t >= input.outage.fromMs && t < input.outage.toMs,
  };
}

const endingOf: Readonly<Record<Outcome, Ending>> = { promoted: 'promote', 'rolled-back': 'rollback', paused: 'undecided' };

interface Replay {
  readonly share: number;
  readonly interval: { readonly lower: number; readonly upper: number };
  readonly misses: readonly string[];
}

/** Replays release `index` of a scenario `runs` times; the share that ended as the scenario expects. */
async function replay(name: ScenarioName, index: number, speed: number): Promise<Replay> {
  const scenario = scenarios[name];
  const release = scenario.releases[index];
  if (release === undefined) throw new Error(`${name} has no release ${index}`);
  const behaviour = behaviourOf(scenario);
  const previous = index === 0 ? scenario.initialImage : (scenario.releases[index - 1]?.image ?? scenario.initialImage);
  const policy = await sandboxPolicy(name, speed);
  // The outage starts once the canary has taken traffic for `afterIntervals` (it does at once here).
  const outage = scenario.outage === undefined ? null
    : { fromMs: scenario.outage.afterIntervals * policy.intervalMs, toMs: (scenario.outage.afterIntervals + scenario.outage.forIntervals) * policy.intervalMs };
  const world = worldScenario({ canary: behaviour(release.image), primary: behaviour(previous), edgeMs: policy.judge.latencyP99MaxMs, outage });
  const misses: string[] = [];
  for (let run = 0; run < runs; run += 1) {
    const random = seeded(1_000_003 * (index + 1) + run);
    // Generated load (quiet) flows while the canary has traffic, which is all the judge sees: modelled as steady.
    const rps = scenario.rps + (scenario.loadtester?.rate ?? 0);
    const outcome = runFledge(new World({ scenario: world, requestsPerSecond: rps, scrapeMs: sandboxScrapeMs, random, histogram: false }), policy, { horizonMs: 30 * 60_000 });
    if (outcome.ending !== endingOf[release.expect]) misses.push(`${outcome.ending}: ${outcome.reason}`);
  }
  const share = (runs - misses.length) / runs;
  return { share, interval: wilson(runs - misses.length, runs), misses };
}

/** Scenarios whose ending is decided by the judge on traffic (the others pause or fail on readiness). */
const judged: readonly { name: ScenarioName; release: number; what: string }[] = [
  { name: 'default', release: 0, what: 'the good release (a fix: 0.3% failures against 0.5%) is promoted' },
  { name: 'default', release: 1, what: 'the bad release (10× failures) is rolled back' },
  { name: 'latency', release: 0, what: 'the slow release (p99 ≈ 1 s against a 500 ms SLO) is rolled back' },
  { name: 'small-regression', release: 0, what: 'the small regression (2× failures, 1% vs 0.5%) is rolled back' },
  { name: 'prometheus-outage', release: 0, what: 'the good release is promoted across a metrics outage' },
  { name: 'quiet', release: 0, what: 'an idle app: the good release is promoted on the loadtester\'s 500 rps' },
  { name: 'quiet', release: 1, what: 'an idle app: the bad release (10× failures) is rolled back on the loadtester\'s 500 rps' },
  { name: 'custom-analysis', release: 0, what: 'its own template (M = 3): the good release is promoted' },
  { name: 'custom-analysis', release: 1, what: 'its own template (M = 3): the bad release (10× failures) is rolled back' },
  // Replayed at its 500 rps before the surge (less data than it gets): the outcome holds with more.
  { name: 'autoscaled', release: 0, what: 'an autoscaled app: the good release is promoted' },
];

describe('sandbox scenarios end as they claim in ≥ 99.9% of sample paths, not only on seed 1', { concurrency: true }, () => {
  for (const { name, release, what } of judged) {
    for (const speed of speeds) {
      it(`${name}, speed ${speed}: ${what}`, async (t) => {
        const result = await replay(name, release, speed);
        const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
        t.diagnostic(`${runs - result.misses.length}/${runs} ended as expected`);
        assert.ok(
          result.share >= required,
          `${name} release ${release} at speed ${speed}: ${percent(result.share)} of ${runs} runs ended as expected ` +
            `(95% interval ${percent(result.interval.lower)}–${percent(result.interval.upper)}), below ${percent(required)}; ` +
            `first misses: ${result.misses.slice(0, 3).join(' | ')}`,
        );
      });
    }
  }
});
