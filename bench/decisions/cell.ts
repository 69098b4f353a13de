// One cell of the grid: a scenario at a request rate, run `runs` times per policy. Run i of
// every policy uses the same seed, so the policies meet the same scrape phase and, until their
// decisions differ, the same traffic.
import { runFlagger } from './flagger-run.ts';
import { runFledge } from './fledge-run.ts';
import type { RunOutcome } from './outcome.ts';
import { flaggerPolicy, fledgePolicy, readsP99, type PolicyId } from './policies.ts';
import { mixSeed, seeded } from './random.ts';
import { buildScenario, minuteMs, scenarioSpecs, type Scenario } from './scenarios.ts';
import { summarize, type CellSummary } from './stats.ts';
import { World } from './world.ts';

export interface CellJob {
  /** Index into scenarioSpecs(). */
  readonly scenario: number;
  readonly requestsPerSecond: number;
  readonly policy: PolicyId;
  readonly runs: number;
  readonly seed: number;
  readonly horizonMs: number;
  /** Prometheus scrape interval; Fledge's metrics lag is twice this. */
  readonly scrapeMs: number;
}

export interface CellResult {
  readonly job: CellJob;
  readonly scenarioId: string;
  readonly scenarioLabel: string;
  readonly successRateMin: number;
  readonly summary: CellSummary;
  readonly elapsedMs: number;
}

export const defaultHorizonMs = 60 * minuteMs;

/**
 * The world of run `run` in a cell: its own seeded stream, so run i of every policy (and of the
 * oracle, oracle.ts) meets the same scrape phase and traffic.
 */
export function runWorld(scenario: Scenario, cell: Pick<CellJob, 'scenario' | 'requestsPerSecond' | 'seed' | 'scrapeMs'>, input: { run: number; histogram: boolean }): World {
  const random = seeded(mixSeed(cell.seed, cell.scenario, cell.requestsPerSecond, input.run));
  return new World({ scenario, requestsPerSecond: cell.requestsPerSecond, scrapeMs: cell.scrapeMs, random, histogram: input.histogram });
}

export function runOnce(scenario: Scenario, job: CellJob, run: number): RunOutcome {
  const world = runWorld(scenario, job, { run, histogram: readsP99(job.policy) });
  const limits = { horizonMs: job.horizonMs };
  if (job.policy === 'flagger') return runFlagger(world, flaggerPolicy(scenario.successRateMin), limits);
  return runFledge(world, fledgePolicy(job.policy, { successRateMin: scenario.successRateMin, scrapeMs: job.scrapeMs }), limits);
}

export function runCell(job: CellJob): CellResult {
  const started = performance.now();
  const spec = scenarioSpecs()[job.scenario];
  if (spec === undefined) throw new Error(`no scenario ${job.scenario}`);
  const scenario = buildScenario(spec);
  const outcomes: RunOutcome[] = [];
  for (let run = 0; run < job.runs; run += 1) outcomes.push(runOnce(scenario, job, run));
  return {
    job,
    scenarioId: spec.id,
    scenarioLabel: spec.label,
    successRateMin: scenario.successRateMin,
    summary: summarize(outcomes),
    elapsedMs: performance.now() - started,
  };
}
