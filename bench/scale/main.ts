// `npm run bench:scale`: the controller process against the emulator process with N annotated
// Deployments (default 100, 1000, 5000) all releasing at once. Prints a table and writes
// bench/results/scale.md.
//
// Flags: --sizes 100,1000,5000, --steps 10,50, --interval 10 (seconds), --scrape 1 (seconds),
// --concurrency 32, --resync 30 (seconds), --budget 560 (seconds for all sizes: whatever is not
// done by then is reported as not done, so the command ends within its budget), --out DIR,
// --prometheus fake|real (the controller queries a small fake Prometheus, or Debian's
// `prometheus` scraping every app's linkerd-style series; both behind a proxy counting queries),
// --batch on|off (off: every canary measured with its own queries, for comparison),
// --runtime dist|tsx (dist: the controller bundled first as `npm run build` bundles dist/, as the image runs it; tsx: the
// TypeScript sources through the tsx loader, as a checkout runs them).
import { mkdir, writeFile } from 'node:fs/promises';
import { scaleChart } from './chart.ts';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scaleDocument, scaleText } from './report.ts';
import { compileController } from './processes.ts';
import { runSize, type ScaleResult, type ScaleSettings } from './run-n.ts';

const root = new URL('../../', import.meta.url);

function numbers(text: string, name: string): number[] {
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`--${name} ${text}: positive numbers separated by commas`);
  return values;
}

async function options(): Promise<{ sizes: number[]; budgetMs: number; settings: ScaleSettings; out: string }> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100,1000,5000' },
      steps: { type: 'string', default: '10,50' },
      interval: { type: 'string', default: '10' },
      scrape: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '32' },
      resync: { type: 'string', default: '30' },
      budget: { type: 'string', default: '560' },
      prometheus: { type: 'string', default: 'fake' },
      batch: { type: 'string', default: 'on' },
      runtime: { type: 'string', default: 'dist' },
      out: { type: 'string', default: join(root.pathname, 'bench/results') },
    },
    strict: true,
  });
  const [interval = 10] = numbers(values.interval, 'interval');
  const [scrape = 1] = numbers(values.scrape, 'scrape');
  const [concurrency = 32] = numbers(values.concurrency, 'concurrency');
  const [resync = 30] = numbers(values.resync, 'resync');
  const [budget = 560] = numbers(values.budget, 'budget');
  if (values.prometheus !== 'fake' && values.prometheus !== 'real') throw new Error(`--prometheus ${values.prometheus}: fake or real`);
  if (values.batch !== 'on' && values.batch !== 'off') throw new Error(`--batch ${values.batch}: on or off`);
  if (values.runtime !== 'dist' && values.runtime !== 'tsx') throw new Error(`--runtime ${values.runtime}: dist or tsx`);
  return {
    sizes: numbers(values.sizes, 'sizes'),
    budgetMs: budget * 1000,
    settings: {
      steps: numbers(values.steps, 'steps'),
      intervalMs: interval * 1000,
      scrapeMs: scrape * 1000,
      concurrency,
      resyncMs: resync * 1000,
      prometheus: values.prometheus,
      batch: values.batch === 'on',
      compiled: values.runtime === 'dist' ? await compileController() : undefined,
    },
    out: values.out,
  };
}

async function main(): Promise<void> {
  const { sizes, budgetMs, settings, out } = await options();
  const started = Date.now();
  // Counted before the runs move this process onto the harness CPUs (processes.ts cpuPlacement).
  const cpus = availableParallelism();
  // Leaves time to stop the processes and write the report.
  const deadline = started + budgetMs - 20_000;
  const results: ScaleResult[] = [];
  const skipped: number[] = [];
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  for (const n of sizes) {
    if (Date.now() > deadline - 30_000) {
      skipped.push(n);
      continue;
    }
    log(`N = ${n}`);
    results.push(await runSize({ n, settings, deadline, log }));
  }
  const info = {
    command: `npm run bench:scale${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    wallSeconds: (Date.now() - started) / 1000,
    node: process.version,
    cpus,
    budgetSeconds: budgetMs / 1000,
    skipped,
  };
  process.stdout.write(`${scaleText(results)}\n`);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'scale.md'), scaleDocument(results, info));
  const chart = scaleChart(results);
  if (chart !== null) await writeFile(join(out, 'scale.svg'), chart);
  process.stdout.write(`\nwrote ${join(out, 'scale.md')} (${info.wallSeconds.toFixed(0)} s)\n`);
}

await main();
