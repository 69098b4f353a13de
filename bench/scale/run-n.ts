// One size of the scale bench: N annotated Deployments bootstrapped, then all changed at once
// and released through the controller process, measured from outside (watches) and inside (IPC).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Usage } from './usage.ts';
import { kubeconfigYaml } from '../../src/sandbox/emulator/kubeconfig.ts';
import { apiAt, applyCrds, inParallel, type Api } from './api.ts';
import { placeHarness, startControllerProcess, startEmulatorProcess } from './processes.ts';
import { measureDrift, type DriftResult } from './drift.ts';
import { breakdownText } from './request-kinds.ts';
import { steadyStepKinds } from './report.ts';
import { startBenchPrometheus, type PrometheusMode } from './prometheus.ts';
import { ReleaseTracker } from './tracker.ts';
import { watchCollection } from './watch.ts';

export interface ScaleSettings {
  readonly steps: readonly number[];
  readonly intervalMs: number;
  readonly scrapeMs: number;
  readonly concurrency: number;
  readonly resyncMs: number;
  /** The Prometheus the controller queries: the bench's fake one, or Debian's scraping an exporter. */
  readonly prometheus: PrometheusMode;
  /** Batched measurement (the default), or per canary for comparison (`--batch off`). */
  readonly batch: boolean;
  /** The controller compiled to JavaScript (its entry), as the image runs it; through tsx when undefined. */
  readonly compiled: string | undefined;
}

/** PromQL queries the controller sent during the release, and how long each answer took (ms). */
export interface QueryStats {
  readonly count: number;
  readonly latenciesMs: readonly number[];
}

export interface ScaleResult {
  readonly n: number;
  readonly settings: ScaleSettings;
  readonly bootstrapMs: number;
  readonly bootstrapped: number;
  /** False when bootstrap did not finish before the deadline: no release was started. */
  readonly released: boolean;
  readonly releaseMs: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Every run ended before the deadline. */
  readonly completed: boolean;
  /** Controller usage at the start of the release and at its end (or the deadline). */
  readonly before: Usage;
  readonly after: Usage;
  /** CPU time of the emulator process during bootstrap and during the release. */
  readonly emulatorCpuMs: { readonly bootstrap: number; readonly release: number };
  readonly stepLagsMs: readonly number[];
  readonly scaleUpMs: readonly number[];
  /** Traffic steps taken during the release (all of them when it completed). */
  readonly stepsTaken: number;
  /** Hand-edited TrafficSplits repaired after the release; null when the release did not complete. */
  readonly drift: DriftResult | null;
  /** When each app entered each step (see ReleaseTracker.stepStarts). */
  readonly stepStarts: ReadonlyMap<string, readonly number[]>;
  readonly queries: QueryStats;
}

// As deploy/ installs them: with the template CRDs served, template lookups come from the (empty) watch caches.
const crdFiles = [
  new URL('../../deploy/crds/canary.yaml', import.meta.url),
  new URL('../../deploy/crds/analysistemplates.yaml', import.meta.url),
  new URL('../../deploy/crds/clusteranalysistemplates.yaml', import.meta.url),
  new URL('../../deploy/crds/smi/trafficsplit-linkerd-smi-v1alpha1-v1alpha2.yaml', import.meta.url),
];
const namespace = 'default';
const writers = 32;
/** TrafficSplits hand-edited after the release, and how long the bench waits for their repair. */
const driftEdits = 20;
const driftTimeoutMs = 15_000;

function appName(i: number): string {
  return `app-${String(i).padStart(5, '0')}`;
}

function deployment(name: string, settings: ScaleSettings): unknown {
  const seconds = `${settings.intervalMs / 1000}s`;
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      annotations: { 'fledge.dev/canary': 'true', 'fledge.dev/steps': settings.steps.join(','), 'fledge.dev/interval': seconds, 'fledge.dev/bake': seconds },
    },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
  };
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

/** `k` names spread evenly over `names`. */
function spread(names: readonly string[], k: number): string[] {
  const step = names.length / Math.min(k, names.length);
  return Array.from({ length: Math.min(k, names.length) }, (_, i) => names[Math.floor(i * step)] ?? '');
}

async function waitUntil(what: string, done: () => boolean, deadline: number): Promise<boolean> {
  while (!done()) {
    if (Date.now() > deadline) {
      process.stderr.write(`  out of time waiting for ${what}\n`);
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

async function changeAll(api: Api, names: readonly string[], tracker: ReleaseTracker): Promise<void> {
  const patch = { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } } };
  await inParallel(names, writers, async (name) => {
    tracker.changed(name, Date.now());
    await api.request('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`, patch, 'application/merge-patch+json');
  });
}

export interface SizeRun {
  readonly n: number;
  readonly settings: ScaleSettings;
  /** Absolute time (ms) by which this size must be done; what is not done by then is reported as such. */
  readonly deadline: number;
  readonly log: (line: string) => void;
}

async function createApps(api: Api, run: SizeRun): Promise<string[]> {
  const names = Array.from({ length: run.n }, (_, i) => appName(i));
  await inParallel(names, writers, async (name) => {
    await api.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, deployment(name, run.settings));
  });
  run.log(`  ${run.n} Deployments created`);
  return names;
}

export async function runSize(run: SizeRun): Promise<ScaleResult> {
  const { n, settings, deadline, log } = run;
  const dir = await mkdtemp(join(tmpdir(), 'fledge-scale-'));
  placeHarness();
  const emulator = await startEmulatorProcess(join(dir, 'kubeconfig'));
  const stops: (() => Promise<void> | void)[] = [() => emulator.stop(), () => rm(dir, { recursive: true, force: true })];
  try {
    const api = apiAt(emulator.url);
    await applyCrds(api, crdFiles);
    const names = await createApps(api, run);
    const prometheus = await startBenchPrometheus({ mode: settings.prometheus, apps: names, scrapeMs: settings.scrapeMs });
    stops.unshift(() => prometheus.stop());
    // The sequential judge looks every 2 scrapes (src/config/resolve.ts lookFor): the earliest advance is after the first look.
    const tracker = new ReleaseTracker({ intervalMs: settings.intervalMs, lookMs: Math.min(settings.intervalMs, 2 * settings.scrapeMs), bakeMs: settings.intervalMs, lagMs: 2 * settings.scrapeMs });
    const canaries = watchCollection(api, '/apis/fledge.dev/v1alpha1/canaries', (_type, object) => tracker.onCanary(object));
    stops.unshift(() => canaries.stop());
    const emulatorCpu0 = emulator.cpuMs();
    const bootStart = Date.now();
    // The controller talks plain HTTP, as when the recorded numbers were taken (the kubeconfig
    // `fledge emulator` writes is HTTPS, for kubectl).
    await writeFile(join(dir, 'controller-kubeconfig'), kubeconfigYaml({ server: emulator.url }), { mode: 0o600 });
    const controller = await startControllerProcess({ kubeconfigPath: join(dir, 'controller-kubeconfig'), scrape: `${settings.scrapeMs}ms`, concurrency: settings.concurrency, resyncMs: settings.resyncMs, prometheusUrl: prometheus.url, batch: settings.batch, compiled: settings.compiled });
    stops.unshift(() => controller.stop());
    const booted = await waitUntil(`${n} Canaries Ready`, () => tracker.count('Ready') >= n, deadline);
    const bootstrapMs = Date.now() - bootStart;
    const bootstrapped = tracker.count('Ready');
    const emulatorCpu1 = emulator.cpuMs();
    log(`  bootstrapped ${bootstrapped}/${n} in ${(bootstrapMs / 1000).toFixed(1)} s`);
    const before = await controller.snapshot();
    log(`  controller after bootstrap: RSS ${mib(before.rssBytes)} MiB (peak ${mib(before.maxRssBytes)}), heap used ${mib(before.heapUsedBytes)} MiB`);
    const base = { n, settings, bootstrapMs, bootstrapped, before, stepLagsMs: tracker.stepLagsMs, scaleUpMs: tracker.scaleUpMs, stepStarts: tracker.stepStarts };
    if (!booted) {
      return {
        ...base, released: false, releaseMs: 0, succeeded: 0, failed: 0, completed: false, after: before, stepsTaken: 0, drift: null, queries: { count: 0, latenciesMs: [] },
        emulatorCpuMs: { bootstrap: emulatorCpu1 - emulatorCpu0, release: 0 },
      };
    }
    tracker.startRelease();
    prometheus.reset();
    const releaseStart = Date.now();
    await changeAll(api, names, tracker);
    const completed = await waitUntil(`${n} releases`, () => tracker.count('Succeeded') + tracker.count('Failed') >= n, deadline);
    const releaseMs = Date.now() - releaseStart;
    // For looking into a run: SCALE_TIMELINE=FILE writes when each step was due and when it started.
    const timeline = process.env['SCALE_TIMELINE'];
    if (timeline !== undefined) await writeFile(timeline, JSON.stringify({ releaseStart, scaledUpMs: tracker.scaleUpMs, scaleUps: tracker.scaleUps, phaseChanges: tracker.phaseChanges, stepDue: tracker.stepDue, stepStarts: [...tracker.stepStarts] }));
    const after = await controller.snapshot(true);
    log(`  controller after the release: RSS ${mib(after.rssBytes)} MiB (peak ${mib(after.maxRssBytes)}), heap used ${mib(after.heapUsedBytes)} MiB, live after a full collection ${mib(after.liveHeapBytes ?? Number.NaN)} MiB; ${JSON.stringify(Object.fromEntries(Object.entries(after.memory ?? {}).map(([k, v]) => [k, mib(v)])))}`);
    const spaces = Object.entries(after.heapSpaces ?? {}).filter(([, space]) => space.committedMiB > 0).map(([name, space]) => `${name.replace(/_space$/, '')} ${space.usedMiB}/${space.committedMiB}`);
    log(`  heap spaces at the end (used/committed MiB): ${spaces.join(', ')}`);
    log(`  released ${tracker.count('Succeeded')}/${n} in ${(releaseMs / 1000).toFixed(1)} s; API requests per release by verb and kind:`);
    for (const line of breakdownText(before.byKind, after.byKind, n)) log(`    ${line}`);
    log('  API requests per steady-state step (sampled apps, entering step k to entering step k + 1):');
    for (const line of steadyStepKinds({ after, stepStarts: tracker.stepStarts })) log(`    ${line}`);
    const drift = completed ? await measureDrift(api, spread(names, driftEdits), driftTimeoutMs) : null;
    if (drift !== null) log(`  drift: ${drift.repairMs.length}/${drift.edited} hand-edited TrafficSplits repaired`);
    return {
      ...base, released: true, releaseMs, completed, after,
      succeeded: tracker.count('Succeeded'),
      failed: tracker.count('Failed'),
      stepsTaken: tracker.stepsTaken,
      drift,
      queries: { count: prometheus.log.queries, latenciesMs: [...prometheus.log.latenciesMs] },
      emulatorCpuMs: { bootstrap: emulatorCpu1 - emulatorCpu0, release: emulator.cpuMs() - emulatorCpu1 },
    };
  } finally {
    for (const stop of stops) await stop();
  }
}
