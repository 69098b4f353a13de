// bench/results/decisions.md: how the numbers were made, the headline rows, then every cell.
import type { CellResult } from './cell.ts';
import { headlineRows, markdownTable, ordered, tableHeader, tableRow } from './report.ts';
import { scenarioSpecs } from './scenarios.ts';

export interface RunInfo {
  readonly command: string;
  readonly runs: number;
  readonly seed: number;
  readonly horizonMinutes: number;
  readonly scrapeSeconds: number;
  readonly rates: readonly number[];
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly workers: number;
  readonly node: string;
}

const method = `## Method

Simulated time, seeded, no wall-clock waits. Every run starts when a new revision appears (t = 0)
and ends at a decision (rollback, or the start of promotion) or at the horizon (undecided).

- **Traffic.** Requests arrive at the cell's rate; the mesh sends the current weight's share to
  the canary (routes take effect at once). Each request fails with its version's probability and
  has a latency drawn from its version's distribution: log-normal, median 60 ms, σ = 0.6
  (p99 ≈ 245 ms; 0.02% of requests above 500 ms). Counts are drawn per scrape slot (Poisson
  requests, Binomial failures, a multinomial over the Linkerd proxy's latency buckets), not per
  request.
- **Prometheus.** It scrapes every 15 s (random phase per run). A query \`increase(x[W])\` at time
  T sees the samples in (T − W, T] and extrapolates from the first to the last one to the window's
  edges as Prometheus does, so a 60 s window counts 45 s of traffic × 4/3 (Fledge deflates the
  counts back; its queries reach one scrape before each window, so no traffic falls between two). p99 is
  \`histogram_quantile(0.99, …)\` over the Linkerd buckets; "slow" requests are those above the
  500 ms bucket edge. Fledge reads each window 2 × 15 s after it ends (\`metricsLagMs\`).
- **Fledge** runs its real state machine \`decide()\` with the real judges (\`src/core\`): the
  controller looks when \`requeueAfterMs\` says, measures exactly the window \`dueInterval\` asks
  for and queries it as the controller does (its range and one scrape before it, \`lookbackMs\`),
  the canary is ready as soon as it is scaled up, and promotion completes one look later. The
  sequential judge looks every 2 scrapes (30 s windows on a wall-clock grid, \`lookMs\`), the
  threshold judge once per interval. Steps 5, 10, …, 50%, interval 1m, bake 1m, α = β = 0.05,
  progress deadline 10m, SLO success-rate-min and latency-p99-max 500 ms — the same schedule as
  the Flagger example, so time to promote is about equal (Fledge's first step waits one 5 s poll
  for readiness and each look waits the 30 s metrics lag). No decision can come before the first
  window holding canary traffic is read: the first step at 5 s, its window ending at 30 s, read at
  60 s — a floor of 1.0 minute. *Schedule* advances after the bake with no harm evidence;
  *evidence* advances once non-inferiority is shown at each step; the *threshold* judge counts
  failed SLO checks like Flagger but never counts "no data" or a Prometheus error as one.
- **Flagger baseline** (\`bench/decisions/flagger.ts\`), the documentation's example: interval 1m,
  stepWeight 5, maxWeight 50, threshold 5, request-success-rate ≥ 99% and request-duration p99
  ≤ 500 ms, each over 1m, canary only. One tick per minute, in the order of Flagger's scheduler
  (\`advanceCanary\`): (1) failed checks ≥ threshold → roll back — so the rollback comes one tick
  after the fifth failed check; (2) the first tick routes 5% without checking; (3) otherwise a
  check that finds no values (no requests: the ratio is NaN), a query error, success rate < 99% or
  p99 > 500 ms is one failed check, counted over the whole run, and the weight holds; a passing
  check adds 5%, or promotes when the check at 50% passes. t = 0 is the tick that routes 5%
  (Flagger's earlier tick that only scales the canary up is not counted).
- **Scenarios.** A/A (identical versions); canary failure probability 2×…500× the base (capped
  at 100%); latency +50% on every request (p99 ≈ 365 ms, 10× as many requests above 500 ms);
  1% of requests +500 ms (p99 just above 500 ms); a shared dependency blip (both versions fail
  5% from minute 2 to 8); no traffic at all from minute 2 to 7; Prometheus unreachable from
  minute 2 to 5 (queries fail; the data itself is kept and read afterwards). Base failure rate
  0.1% unless named. At a 1% base rate every policy uses success-rate-min 98%: a healthy
  service sits exactly on a 99% threshold, and every policy would be judging a misconfiguration.
- **Columns.** Rollback rate with a Wilson 95% interval; the share of runs promoted and
  undecided at the horizon; minutes from the new revision to the decision over decided runs
  (median / p90); the median over rolled-back runs of the canary's *excess* failed requests
  before rollback — failures beyond what the primary's failure probability gives for the same
  requests. The CSV also has the median time to rollback and the excess failures and slow
  requests over all runs.
`;

function runSection(info: RunInfo): string {
  return [
    '## This run',
    '',
    `\`${info.command}\` — ${info.runs} runs per policy and cell, seed ${info.seed}, horizon ${info.horizonMinutes} min, scrape interval ${info.scrapeSeconds} s, request rates ${info.rates.join(', ')} req/s;`,
    `${info.workers} worker thread(s), ${info.wallSeconds.toFixed(0)} s wall, ${info.cpuSeconds.toFixed(0)} s CPU, Node ${info.node}.`,
    'The same seed gives the same numbers.',
  ].join('\n');
}

function scenarioSections(results: readonly CellResult[]): string {
  const sections: string[] = [];
  for (const [index, spec] of scenarioSpecs().entries()) {
    const rows = ordered(results).filter((r) => r.job.scenario === index);
    if (rows.length === 0) continue;
    sections.push(`### ${spec.label}\n\n${markdownTable(tableHeader, rows.map(tableRow))}`);
  }
  return sections.join('\n\n');
}

export function decisionsDocument(results: readonly CellResult[], info: RunInfo): string {
  const headline = headlineRows(results);
  return [
    '# Decision quality: Fledge against Flagger\'s rule',
    '',
    'Generated by `npm run bench:decisions` (bench/decisions/); raw numbers in [decisions.csv](decisions.csv).',
    'A summary with the reading of these numbers is in [docs/benchmarks.md](../../docs/benchmarks.md).',
    '',
    runSection(info),
    '',
    '## Headline rows',
    '',
    headline.length === 0 ? '(not in this run)' : markdownTable(tableHeader, headline.map(tableRow)),
    '',
    method,
    '## All cells',
    '',
    scenarioSections(results),
    '',
  ].join('\n');
}
