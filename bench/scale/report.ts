// bench/results/scale.md from the results of every size.
import { cpuPlacement, shippedNodeFlags } from './processes.ts';
import { quantile } from '../decisions/stats.ts';
import { markdownTable, textTable } from '../decisions/report.ts';
import type { ScaleResult } from './run-n.ts';
import { breakdownText } from './request-kinds.ts';

export interface ScaleInfo {
  readonly command: string;
  readonly wallSeconds: number;
  readonly budgetSeconds: number;
  readonly node: string;
  readonly cpus: number;
  /** Sizes not started: the time budget was spent. */
  readonly skipped: readonly number[];
}

function seconds(ms: number, digits = 2): string {
  return Number.isFinite(ms) ? (ms / 1000).toFixed(digits) : '—';
}

function perStep(value: number, steps: number, digits = 1): string {
  return steps > 0 && Number.isFinite(value) ? (value / steps).toFixed(digits) : '—';
}


export const header = [
  'N', 'bootstrap', 'released', 'release s', 'steps taken', 'API requests/s', 'peak RSS MiB', 'CPU ms / step', 'reconciles / step', 'looks paced (share of release)', 'step lag s (median / p99 / max)', 'change → scaled up s (median / p99)',
  'API requests / step', 'API requests / release', 'API requests / steady-state step', 'PromQL queries / step', 'PromQL queries/s', 'query latency ms (median / p99)',
  'emulator CPU s (bootstrap / release)', 'drift repaired s (median / max)',
];

function latencyText(latenciesMs: readonly number[]): string {
  if (latenciesMs.length === 0) return '—';
  return `${quantile(latenciesMs, 0.5).toFixed(1)} / ${quantile(latenciesMs, 0.99).toFixed(1)}`;
}
function driftText(result: ScaleResult): string {
  const drift = result.drift;
  if (drift === null) return '—';
  const { repairMs, edited } = drift;
  const all = repairMs.length === edited ? '' : ` (${repairMs.length}/${edited} repaired)`;
  return repairMs.length === 0 ? `0/${edited} repaired` : `${seconds(quantile(repairMs, 0.5))} / ${seconds(quantile(repairMs, 1))}${all}`;
}

/** The sampled apps' requests from entering step k to entering step k + 1, and the number of such windows. */
function steadyStepSample(result: Pick<ScaleResult, 'after' | 'stepStarts'>): { kinds: string[]; windows: number } {
  const kinds: string[] = [];
  let windows = 0;
  for (const [app, requests] of Object.entries(result.after.sampled)) {
    const starts = result.stepStarts.get(app) ?? [];
    for (let k = 0; k + 1 < starts.length; k += 1) {
      const [from = 0, to = 0] = [starts[k], starts[k + 1]];
      kinds.push(...requests.filter(([at]) => at >= from && at < to).map(([, kind]) => kind));
      windows += 1;
    }
  }
  return { kinds, windows };
}

/**
 * Requests about one app from entering step k to entering step k + 1 (its route write, status
 * write and Event, and anything else meanwhile), averaged over the sampled apps and their steps.
 */
export function steadyStepRequests(result: Pick<ScaleResult, 'after' | 'stepStarts'>): number {
  const { kinds, windows } = steadyStepSample(result);
  return windows === 0 ? Number.NaN : kinds.length / windows;
}

/** What a steady-state step's requests are, per step, as "n× kind" lines (largest first). */
export function steadyStepKinds(result: Pick<ScaleResult, 'after' | 'stepStarts'>): string[] {
  const { kinds, windows } = steadyStepSample(result);
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return breakdownText({}, counts, windows);
}

function bootstrapText(result: ScaleResult): string {
  const rate = result.bootstrapMs > 0 ? (1000 * result.bootstrapped) / result.bootstrapMs : Number.NaN;
  const done = result.bootstrapped >= result.n ? '' : ` of ${result.n}`;
  return `${result.bootstrapped}${done} in ${seconds(result.bootstrapMs, 0)} s (${rate.toFixed(1)}/s)`;
}

export function row(result: ScaleResult): string[] {
  const steps = result.stepsTaken;
  const { before, after } = result;
  const lags = result.stepLagsMs;
  const api = after.apiRequests + after.watchRequests - before.apiRequests - before.watchRequests;
  const released = result.released ? `${result.succeeded}/${result.n}${result.completed ? '' : ' (out of time)'}` : 'not started (out of time)';
  return [
    String(result.n),
    bootstrapText(result),
    released,
    result.released ? seconds(result.releaseMs, 1) : '—',
    String(steps),
    result.releaseMs > 0 ? ((1000 * api) / result.releaseMs).toFixed(0) : '—',
    (after.maxRssBytes / 2 ** 20).toFixed(0),
    perStep(after.cpuMs - before.cpuMs, steps),
    perStep(after.reconciles - before.reconciles, steps),
    result.releaseMs > 0 ? `${Math.round((100 * (after.coarseMs - before.coarseMs)) / result.releaseMs)}%` : '—',
    lags.length === 0 ? '—' : `${seconds(quantile(lags, 0.5))} / ${seconds(quantile(lags, 0.99))} / ${seconds(quantile(lags, 1))}`,
    result.scaleUpMs.length === 0 ? '—' : `${seconds(quantile(result.scaleUpMs, 0.5))} / ${seconds(quantile(result.scaleUpMs, 0.99))}`,
    perStep(api, steps),
    perStep(api, result.succeeded + result.failed),
    Number.isNaN(steadyStepRequests(result)) ? '—' : steadyStepRequests(result).toFixed(1),
    perStep(result.queries.count, steps, 2),
    result.releaseMs > 0 ? ((1000 * result.queries.count) / result.releaseMs).toFixed(1) : '—',
    latencyText(result.queries.latenciesMs),
    `${seconds(result.emulatorCpuMs.bootstrap, 0)} / ${seconds(result.emulatorCpuMs.release, 0)}`,
    driftText(result),
  ];
}

export function scaleText(results: readonly ScaleResult[]): string {
  return textTable(header, results.map(row));
}

function placementText(): string {
  const cpus = cpuPlacement();
  if (cpus === null) return 'every process on every CPU';
  return `the controller alone on CPU ${cpus.controller} (its Deployment's limit is one CPU), the emulator, Prometheus and the bench's own client on CPU ${cpus.harness}`;
}

function settingsText(result: ScaleResult | undefined): string {
  if (result === undefined) return '';
  const s = result.settings;
  return [
    `Each app: one replica, \`fledge.dev/steps: "${s.steps.join(',')}"\`, interval and bake ${s.intervalMs / 1000}s, analysis template`,
    `\`linkerd\` with its scrape interval set to ${s.scrapeMs / 1000}s (metrics lag ${(2 * s.scrapeMs) / 1000}s); controller concurrency ${s.concurrency},`,
    `resync ${s.resyncMs / 1000}s; Prometheus: ${s.prometheus === 'real' ? 'Debian\'s `prometheus` scraping every app\'s series' : 'the bench\'s fake one'};`,
    `measurement ${s.batch ? 'batched' : 'per canary (`--batch off`)'}; ${placementText()}; the controller ${s.compiled === undefined ? 'run from its TypeScript sources through tsx (`--runtime tsx`)' : `bundled first (scripts/build.mjs, as npm run build bundles dist/) and run as JavaScript with the shipped Deployment's Node flags (\`${shippedNodeFlags().join(' ')}\`: its command's and NODE_OPTIONS), as the image runs it`}.`,
  ].join('\n');
}

function bootstrapRequests(results: readonly ScaleResult[]): string {
  return results
    .filter((r) => r.bootstrapped > 0)
    .map((r) => `N = ${r.n}: ${((r.before.apiRequests + r.before.watchRequests) / r.bootstrapped).toFixed(1)} API requests and ${(r.before.cpuMs / r.bootstrapped).toFixed(0)} ms controller CPU per app (start-up included)`)
    .join('; ');
}

export function scaleDocument(results: readonly ScaleResult[], info: ScaleInfo): string {
  const skipped = info.skipped.length === 0 ? '' : `\n\nNot started, the time budget (${info.budgetSeconds} s) being spent: N = ${info.skipped.join(', ')}.`;
  return [
    '# Controller scale',
    '',
    `Generated by \`${info.command}\` (bench/scale/, bench/scale-controller.ts) in ${info.wallSeconds.toFixed(0)} s on ${info.cpus} CPU(s), Node ${info.node}.`,
    '',
    markdownTable(header, results.map(row)) + skipped,
    '',
    '![Step lag (median, p99) and the controller\'s peak RSS against N](scale.svg)',
    '',
    `Bootstrap cost: ${bootstrapRequests(results) || '—'}.`,
    '',
    '## Method',
    '',
    'Two processes besides the bench itself: `fledge emulator` (the Kubernetes API emulator, with its simulated',
    'deployment controller making pods ready at once) and `bench/scale-controller.ts`, which runs the real',
    '`createController` with the Prometheus MetricsSource `fledge controller` uses (batched measurement) and reports',
    'its own CPU time, peak RSS, API requests (counted in its KubeConfig: every generated-client call and every',
    'watch/list request of the informers) and measurements over IPC. The Prometheus it queries sits behind a proxy in',
    'the bench that counts and times every PromQL query: with `--prometheus fake` (the default) a small server in the',
    'bench answers any query of the linkerd template with healthy, identical versions (canary 10 req/s, primary 90 req/s,',
    '0.1% failures, 0.2% slow, counts from the window\'s length); with `--prometheus real` it is Debian\'s `prometheus`',
    'on 127.0.0.1 scraping one exporter that serves linkerd-style `response_total` / `response_latency_ms` counters',
    'growing at those rates for every app and its primary.',
    '',
    settingsText(results[0]),
    '',
    'For each N: create N annotated Deployments, start the controller, wait until every Canary is `Ready`',
    '(bootstrap: primaries, services, TrafficSplits), then change every Deployment\'s image at once and wait',
    'until every run has ended. Everything per step is measured over the release phase only and divided by the',
    'traffic steps the releases took (each canary entering each of its steps, from the Canary watch). All sizes',
    `share one time budget (${info.budgetSeconds} s) so the command always ends; a release still running then is`,
    'reported as far as it got (its per-step figures then include work on steps not yet taken).',
    '',
    '- **Peak RSS**: the controller process\'s maximum resident set over its life (bootstrap included).',
    '- **Step lag**: for every advance from step k to k + 1, the Canary\'s `stepStartedAt` minus the earliest',
    '  time the state machine could have advanced with a prompt controller: max(previous step start + bake,',
    '  end of the first look (2 scrapes) after it + metrics lag). Read from a watch on the Canaries. A controller',
    '  that is behind judges once per interval (look pace, fledge_looks_coarse): its later steps count as lag.',
    '- **Reconciles / step**: reconciles the controller ran during the release per traffic step (looks, step changes,',
    '  polls, watch events). **Looks paced**: the share of the release the controller judged once per interval because',
    '  its work queue was behind (work done more than 90% of a look after it was due; `fledge_looks_coarse`), instead of every 2 scrapes.',
    '- **Change → scaled up**: from sending the image change to the reconcile that scales the canary up',
    '  (the Canary\'s `status.runStartedAt`; the scale request follows that decision at once). Fledge keeps',
    '  idle canaries at 0 replicas.',
    '- **PromQL queries**: instant queries the controller sent during the release, counted at the proxy; per step, per',
    '  second of the release, and the latency of each (proxy in to answer out, median / p99). Batched, one measurement',
    '  window costs 4 queries (requests, failures, slow, p99) shared by every canary measured over it.',
    '- **Emulator CPU**: the API emulator process\'s CPU time (from /proc), to tell the controller\'s cost from the',
    '  test cluster\'s.',
    '- **API requests**: per traffic step taken, per release (all requests of the release phase / runs ended)',
    '  and per steady-state step: requests about one app (app-00000 … app-00049, named in the URL or the',
    '  Event) from its entering step k to its entering step k + 1; an Event counts at its firstTimestamp (when the',
    '  reconcile recorded it), not when the event queue sent it. The bench log lists those requests by kind.',
    '- **Drift repaired**: after the release, 20 TrafficSplits (spread over the apps) are hand-edited to 70/30 at once',
    '  by an outside writer; from each edit to the watch event that shows it back at 100% primary (not counted',
    '  in the per-step figures).',
    '',
  ].join('\n');
}
