// `npm run bench:oracle`: what a judge told the truth could do in the decision bench's world, as a
// reference for the cells where Fledge misses the targets of the change that made it look every
// two scrapes. The oracle knows both versions' failure rates and reads the canary's exact requests
// and failures (no extrapolation, no other metric, no primary to compare with), at the same reads
// as Fledge: every 2 scrapes, 2 scrapes after the window ends. It runs Wald's sequential
// probability ratio test and rolls back when the likelihood ratio of "the canary fails `factor`
// times as often" against "as often as the primary" reaches 1/α: by Ville's inequality it rolls
// back identical versions in at most α of runs however often it looks, and for given error rates
// no test needs fewer requests on average than Wald's (Wald and Wolfowitz, for tests that may also
// stop to accept; this one only rolls back, and needs about as few). Same seeds, runs and traffic schedule
// as `npm run bench:decisions` (5% more to the canary every minute from 5 s, up to 50%).
//
// Flags: --runs 1000 --seed 1 --scrape 15 --alpha 0.05 --out bench/results
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunOutcome } from './outcome.ts';
import { runWorld } from './cell.ts';
import { buildScenario, minuteMs, scenarioSpecs, type Scenario } from './scenarios.ts';
import { summarize, type CellSummary } from './stats.ts';
import type { World } from './world.ts';

const root = new URL('../../', import.meta.url);

export interface OracleSettings {
  readonly scrapeMs: number;
  readonly alpha: number;
  readonly horizonMs: number;
}

/** The route schedule of the bench's Fledge policies: 5% at 5 s, then 5% more at the first read at least a minute after each step, up to 50%. */
const firstStepMs = 5_000;
const stepPercent = 5;
const maxPercent = 50;

/** One run: reads every 2 scrapes from the fourth scrape on; rolls back once the log likelihood ratio reaches log(1/α). */
export function runOracle(world: World, scenario: Scenario, settings: OracleSettings): RunOutcome {
  const { scrapeMs, alpha, horizonMs } = settings;
  const base = scenario.baseFailure;
  const bad = Math.min(0.999, base * scenario.failureFactor);
  const hit = Math.log(bad / base);
  const miss = Math.log((1 - bad) / (1 - base));
  const bound = Math.log(1 / alpha);
  let weight = stepPercent;
  let stepAt = firstStepMs;
  world.setWeight(stepAt, weight);
  for (let readAt = 4 * scrapeMs; readAt <= horizonMs; readAt += 2 * scrapeMs) {
    // Everything scraped up to 2 scrapes before the read: the last window's end.
    const seen = world.canaryScraped(readAt - 2 * scrapeMs);
    const logLr = seen.failures * hit + (seen.requests - seen.failures) * miss;
    if (logLr >= bound) return { ending: 'rollback', decidedAtMs: readAt, ...world.truth(readAt), reason: `likelihood ratio ${Math.exp(logLr).toFixed(1)} ≥ ${1 / alpha}` };
    if (weight < maxPercent && readAt >= stepAt + minuteMs) {
      weight += stepPercent;
      stepAt = readAt;
      world.setWeight(stepAt, weight);
    }
  }
  return { ending: 'undecided', decidedAtMs: horizonMs, ...world.truth(horizonMs), reason: 'no decision by the horizon' };
}

/** The oracle over `runs` runs of one cell, run i with the seed run i of `npm run bench:decisions` uses. */
export function oracleCell(input: { scenario: string; requestsPerSecond: number; runs: number; seed: number; settings: OracleSettings }): CellSummary {
  const specs = scenarioSpecs();
  const index = specs.findIndex((s) => s.id === input.scenario);
  const spec = specs[index];
  if (spec === undefined) throw new Error(`no scenario ${input.scenario}`);
  const scenario = buildScenario(spec);
  const cell = { scenario: index, requestsPerSecond: input.requestsPerSecond, seed: input.seed, scrapeMs: input.settings.scrapeMs };
  const outcomes: RunOutcome[] = [];
  for (let run = 0; run < input.runs; run += 1) outcomes.push(runOracle(runWorld(scenario, cell, { run, histogram: false }), scenario, input.settings));
  return summarize(outcomes);
}

/** The cells the change's targets name, with their target as a share of Flagger's excess failures. */
export const targetCells: ReadonlyArray<{ scenario: string; rps: number; share: number }> = [
  { scenario: 'errors-10x-0.1%', rps: 10, share: 1 / 10 },
  { scenario: 'errors-10x-0.1%', rps: 100, share: 1 / 10 },
  { scenario: 'errors-10x-0.1%', rps: 1000, share: 1 / 10 },
  { scenario: 'errors-50x-0.1%', rps: 10, share: 1 / 6 },
  { scenario: 'errors-50x-0.1%', rps: 100, share: 1 / 6 },
  { scenario: 'errors-50x-0.1%', rps: 1000, share: 1 / 6 },
];

interface Recorded {
  readonly rollbackRate: number;
  readonly rollbackMin: number;
  readonly excess: number;
}

/** Flagger's and Fledge's (schedule) results from the decision bench's CSV, by scenario, rate and policy. */
async function recorded(path: string): Promise<Map<string, Recorded>> {
  const lines = (await readFile(path, 'utf8')).trim().split('\n');
  const header = (lines[0] ?? '').split(',');
  const column = (name: string): number => header.indexOf(name);
  const found = new Map<string, Recorded>();
  for (const line of lines.slice(1)) {
    // The label column is quoted and holds a comma: split around it.
    const fields = line.replace(/"[^"]*"/, 'label').split(',');
    const at = (name: string): number => Number(fields[column(name)]);
    found.set(`${fields[column('scenario_id')]}@${fields[column('rps')]}@${fields[column('policy')]}`, {
      rollbackRate: at('rollback_rate'),
      rollbackMin: at('rollback_median_min'),
      excess: at('excess_failures_before_rollback_median'),
    });
  }
  return found;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      scrape: { type: 'string', default: '15' },
      alpha: { type: 'string', default: '0.05' },
      out: { type: 'string', default: 'bench/results' },
    },
    strict: true,
  });
  const numbers = { runs: Number(values.runs), seed: Number(values.seed), scrape: Number(values.scrape), alpha: Number(values.alpha) };
  const wrong = Object.entries(numbers).find(([, v]) => !Number.isFinite(v) || v <= 0);
  if (wrong !== undefined) throw new Error(`--${wrong[0]}: a positive number is expected`);
  const settings: OracleSettings = { scrapeMs: numbers.scrape * 1000, alpha: numbers.alpha, horizonMs: 60 * minuteMs };
  const csvPath = new URL('bench/results/decisions.csv', root);
  const bench = await recorded(csvPath.pathname);
  const rows: string[] = [];
  for (const cell of [{ scenario: 'aa-0.1%', rps: 100, share: Number.NaN }, ...targetCells]) {
    const oracle = oracleCell({ scenario: cell.scenario, requestsPerSecond: cell.rps, runs: numbers.runs, seed: numbers.seed, settings });
    const flagger = bench.get(`${cell.scenario}@${cell.rps}@flagger`);
    const fledge = bench.get(`${cell.scenario}@${cell.rps}@fledge-schedule`);
    const target = (flagger?.excess ?? Number.NaN) * cell.share;
    const cells = [
      `${cell.scenario} at ${cell.rps} req/s`,
      `${fixed(100 * oracle.rollbackRate, 1)}% / ${fixed(oracle.rollbackMedianMin, 2)} / ${fixed(oracle.excessFailuresRollback, 1)}`,
      `${fixed(100 * (fledge?.rollbackRate ?? Number.NaN), 1)}% / ${fixed(fledge?.rollbackMin ?? Number.NaN, 2)} / ${fixed(fledge?.excess ?? Number.NaN, 1)}`,
      `${fixed(100 * (flagger?.rollbackRate ?? Number.NaN), 1)}% / ${fixed(flagger?.rollbackMin ?? Number.NaN, 2)} / ${fixed(flagger?.excess ?? Number.NaN, 1)}`,
      Number.isFinite(target) ? `≤ ${fixed(target, 2)}` : '—',
      Number.isFinite(target) ? (oracle.excessFailuresRollback <= target ? 'yes' : 'no') : '—',
    ];
    rows.push(`| ${cells.join(' | ')} |`);
    process.stdout.write(`${cells.join('  ')}\n`);
  }
  const table = [
    `Oracle SPRT at level ${numbers.alpha}, ${numbers.runs} runs per cell, seed ${numbers.seed}, ${numbers.scrape} s scrapes; Fledge (schedule) and Flagger's rule from ${relative(root.pathname, csvPath.pathname)}.`,
    'Each column: runs rolled back / median minutes to rollback / median excess failures before rollback (rolled-back runs).',
    '',
    '| cell | oracle SPRT | Fledge, schedule | Flagger example | target (excess) | oracle within target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  const out = join(values.out, 'oracle.md');
  await writeFile(out, `# What an oracle judge could do in the decision bench\n\nWritten by \`npm run bench:oracle\` (bench/decisions/oracle.ts).\n\n${table}`);
  process.stdout.write(`wrote ${out}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
