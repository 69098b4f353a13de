// `npm run bench:decisions`: every policy in every scenario at every request rate, ≥ 1000 seeded
// runs per cell on worker threads; prints the table and writes bench/results/decisions.{md,csv}.
//
// Flags: --runs N (default 1000), --seed N, --workers N (default: cores, at most 2 unless given),
// --rates 1,10,100,1000, --scenarios id,id (default all), --horizon MINUTES (default 60),
// --scrape SECONDS (Prometheus scrape interval, default 15; Fledge's metrics lag is twice it),
// --out DIR (default bench/results), --quiet.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultHorizonMs, type CellJob } from './cell.ts';
import { decisionsDocument } from './document.ts';
import { defaultScrapeMs, policyIds } from './policies.ts';
import { runPool } from './pool.ts';
import { csv, ordered, tableHeader, tableRow, textTable } from './report.ts';
import { minuteMs, scenarioSpecs } from './scenarios.ts';

const root = new URL('../../', import.meta.url);

interface Flags {
  readonly runs: number;
  readonly seed: number;
  readonly workers: number;
  readonly rates: number[];
  readonly scenarios: string[] | null;
  readonly horizonMinutes: number;
  readonly scrapeSeconds: number;
  readonly out: string;
  readonly quiet: boolean;
}

function flags(): Flags {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      workers: { type: 'string' },
      rates: { type: 'string', default: '1,10,100,1000' },
      scenarios: { type: 'string' },
      horizon: { type: 'string', default: String(defaultHorizonMs / minuteMs) },
      scrape: { type: 'string', default: String(defaultScrapeMs / 1000) },
      out: { type: 'string', default: join(root.pathname, 'bench/results') },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const positive = (text: string, name: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} ${text}: a positive integer is expected`);
    return value;
  };
  return {
    runs: positive(values.runs, 'runs'),
    seed: positive(values.seed, 'seed'),
    workers: values.workers === undefined ? Math.min(2, availableParallelism()) : positive(values.workers, 'workers'),
    rates: values.rates.split(',').map((r) => positive(r, 'rates')),
    scenarios: values.scenarios === undefined ? null : values.scenarios.split(','),
    horizonMinutes: positive(values.horizon, 'horizon'),
    scrapeSeconds: positive(values.scrape, 'scrape'),
    out: values.out,
    quiet: values.quiet,
  };
}

function jobsFor(options: Flags): CellJob[] {
  const specs = scenarioSpecs();
  const unknown = (options.scenarios ?? []).filter((id) => !specs.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${specs.map((s) => s.id).join(', ')}`);
  const jobs: CellJob[] = [];
  specs.forEach((spec, scenario) => {
    if (options.scenarios !== null && !options.scenarios.includes(spec.id)) return;
    for (const requestsPerSecond of options.rates) {
      for (const policy of policyIds) {
        jobs.push({ scenario, requestsPerSecond, policy, runs: options.runs, seed: options.seed, horizonMs: options.horizonMinutes * minuteMs, scrapeMs: options.scrapeSeconds * 1000 });
      }
    }
  });
  // Slow cells first (evidence mode at low rates runs to the horizon), for an even finish.
  const cost = (job: CellJob): number => (job.policy === 'fledge-evidence' ? 4 : 1) / Math.log10(10 * job.requestsPerSecond);
  return jobs.sort((a, b) => cost(b) - cost(a));
}

async function main(): Promise<void> {
  const options = flags();
  const jobs = jobsFor(options);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const results = await runPool(jobs, {
    workers: options.workers,
    onResult: (result, done, total) => {
      if (!options.quiet) process.stderr.write(`\r${done}/${total} cells (${result.scenarioId} ${result.job.requestsPerSecond} req/s ${result.job.policy})`.padEnd(90));
    },
  });
  if (!options.quiet) process.stderr.write('\n');
  const cpu = process.cpuUsage(cpuBefore);
  const info = {
    command: `npm run bench:decisions${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    runs: options.runs,
    seed: options.seed,
    horizonMinutes: options.horizonMinutes,
    scrapeSeconds: options.scrapeSeconds,
    rates: options.rates,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    workers: options.workers,
    node: process.version,
  };
  process.stdout.write(`${textTable(tableHeader, ordered(results).map(tableRow))}\n`);
  await mkdir(options.out, { recursive: true });
  await writeFile(join(options.out, 'decisions.md'), decisionsDocument(results, info));
  await writeFile(join(options.out, 'decisions.csv'), csv(results));
  const where = relative(process.cwd(), options.out) || '.';
  process.stdout.write(`\nwrote ${join(where, 'decisions.md')} and ${join(where, 'decisions.csv')} (${info.wallSeconds.toFixed(0)} s wall, ${info.cpuSeconds.toFixed(0)} s CPU)\n`);
}

await main();
