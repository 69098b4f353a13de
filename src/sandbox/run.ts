// `fledge sandbox`: the whole release loop on one machine. Emulator, simulated pods behind a
// simulated mesh, a traffic generator, the metrics path (Prometheus or the direct source), and
// the controller itself — unchanged — then the scenario's releases, one after the other.
import { KubeConfig } from '@kubernetes/client-node';
import pino, { type Logger } from 'pino';
import { loadCatalog, type Catalog } from '../config/catalog.ts';
import { createController } from '../controller/controller.ts';
import { startEmulator, type Emulator } from './emulator/index.ts';
import { installCrds, appDeployment, createApp, type Timing } from './cluster-setup.ts';
import { createAnalysisTemplate } from './analysis-template.ts';
import { createDirectMetrics } from './direct-metrics.ts';
import { startMesh, type MeshOptions } from './mesh.ts';
import { startMetricsPath, type MetricsMode } from './metrics-path.ts';
import { PodMetrics } from './pod-metrics.ts';
import { seeded } from './random.ts';
import { playReleases, type Stage } from './play.ts';
import { behaviourOf, scenarios, type Scenario, type ScenarioName } from './scenarios.ts';
import { keepLines, releaseOk, summaryLines, type ReleaseResult } from './summary.ts';
import { createTraffic } from './traffic.ts';
import { startSandboxLoadTester, type SandboxLoadTester } from './loadtester.ts';
import { createScreen, type Screen } from './view.ts';
import { startSandboxDashboard } from './dashboard.ts';
import { startAutoscaling, type RunningAutoscaler } from './autoscaling.ts';

export interface SandboxOptions {
  readonly scenario: ScenarioName;
  /** What routes traffic: an SMI TrafficSplit (default) or a Gateway API HTTPRoute; A/B scenarios always use the latter. */
  readonly router?: SandboxRouter;
  /** Requests per second; default the scenario's. */
  readonly rps?: number;
  /** > 1 shortens bake times (intervals never go below 5 s); < 1 slows everything down. Default 1. */
  readonly speed?: number;
  readonly seed?: number;
  readonly metrics?: MetricsMode;
  /** Keep everything running after the scenario until `signal` aborts. */
  readonly keep?: boolean;
  readonly kubeconfigPath?: string;
  readonly signal?: AbortSignal;
  readonly write: (text: string) => void;
  readonly isTty: boolean;
  /** Controller logs; silent by default (they would tear the live view). */
  readonly log?: Logger;
  /** Called while `--keep` is in force, before waiting on `signal` (tests look at the cluster here). */
  readonly onKeep?: (kubeconfigPath: string) => Promise<void>;
}

export type SandboxRouter = 'smi' | 'gateway-api';

/** The app's routing annotations and how the mesh reads them. */
function routingOf(scenario: Scenario, router: SandboxRouter): { annotations: Record<string, string>; mesh: Pick<MeshOptions, 'router' | 'tagged'> } {
  const { ab } = scenario;
  if (ab !== undefined) {
    return {
      annotations: { 'fledge.dev/router': 'gateway-api', 'fledge.dev/match': ab.match },
      mesh: { router: 'gateway-api', tagged: { headers: ab.headers, share: ab.share } },
    };
  }
  return router === 'gateway-api' ? { annotations: { 'fledge.dev/router': 'gateway-api' }, mesh: { router: 'gateway-api' } } : { annotations: {}, mesh: {} };
}

export interface SandboxResult {
  readonly ok: boolean;
  readonly metricsSource: string;
  readonly releases: readonly ReleaseResult[];
  readonly elapsedMs: number;
  /** The autoscaled scenario: the primary's replicas at the end and what its HPA wanted. */
  readonly autoscaling?: { readonly primaryReplicas: number; readonly desired: number } | null;
}

/** Scrape interval of the sandbox's Prometheus; the linkerd template is read with it. */
export const sandboxScrapeMs = 1000;

export function timingFor(speed: number): Timing {
  const intervalMs = Math.max(5000, Math.round(5000 / speed));
  return { intervalMs, bakeMs: Math.max(intervalMs, Math.round(10_000 / speed)), progressDeadlineMs: Math.max(60_000, 2 * intervalMs) };
}

/** The repository's catalog, with every template's scrape interval set to the sandbox Prometheus's. */
export async function sandboxCatalog(): Promise<Catalog> {
  const catalog = await loadCatalog();
  const analysis = new Map([...catalog.analysis].map(([name, template]) => [name, { ...template, scrapeInterval: `${sandboxScrapeMs}ms` }]));
  return { ...catalog, analysis };
}

interface Parts {
  stops: (() => Promise<void> | void)[];
}

async function stopAll(parts: Parts): Promise<void> {
  for (const stop of parts.stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
}

async function keepRunning(options: SandboxOptions, started: Started, next: { namespace: string; app: string; nextImage: string }): Promise<void> {
  const path = options.kubeconfigPath ?? '.fledge/kubeconfig';
  await started.emulator.writeKubeconfig(path);
  for (const line of keepLines(path, next)) options.write(`${line}\n`);
  options.write(`dashboard: ${started.dashboardUrl} (or run \`fledge dashboard -n ${next.namespace} --kubeconfig ${path}\`)\n`);
  await options.onKeep?.(path);
  if (options.signal === undefined || options.signal.aborted) return;
  await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
}

interface Started {
  readonly stage: Stage;
  readonly emulator: Emulator;
  /** Where the sandbox's dashboard serves. */
  readonly dashboardUrl: string;
  readonly autoscaler: RunningAutoscaler | null;
}

/** Requests per second now: the flag's or the scenario's, the autoscaled scenario's surge, and generated load. */
function rateOf(options: SandboxOptions, scenario: Scenario, extra: () => number): () => number {
  const started = Date.now();
  const base = options.rps ?? scenario.rps;
  const surge = scenario.autoscaling?.surge;
  return () => (surge !== undefined && Date.now() - started >= surge.afterMs ? surge.rps : base) + extra();
}

/** The autoscaled scenario's HPA and autoscaler; null for the others. */
async function autoscalerFor(stage: Pick<Stage, 'kubeConfig' | 'scenario' | 'traffic'>, parts: Parts): Promise<RunningAutoscaler | null> {
  const autoscaling = stage.scenario.autoscaling;
  if (autoscaling === undefined) return null;
  const running = await startAutoscaling({ ...stage, autoscaling });
  parts.stops.push(() => running.stop());
  return running;
}

/** The quiet scenario's load generator, called by the app's rollout hook; none for the others. */
async function loadTesterFor(scenario: Scenario, parts: Parts): Promise<Pick<SandboxLoadTester, 'annotations' | 'rps'> & { allow: string[] }> {
  if (scenario.loadtester === undefined) return { annotations: {}, rps: () => 0, allow: [] };
  const load = await startSandboxLoadTester(scenario, scenario.loadtester.rate);
  parts.stops.push(() => load.stop());
  return { ...load, allow: [load.allow] };
}

/** The custom-analysis scenario's template, created as a user would; the annotation naming it (none for the others). */
async function analysisTemplateFor(scenario: Scenario, input: { kubeConfig: KubeConfig; catalog: Catalog }): Promise<Record<string, string>> {
  if (scenario.analysisTemplate === undefined) return {};
  await createAnalysisTemplate(input.kubeConfig, { namespace: scenario.namespace, name: scenario.analysisTemplate, catalog: input.catalog, scrapeMs: sandboxScrapeMs });
  return { 'fledge.dev/analysis': scenario.analysisTemplate };
}

/** Starts emulator, metrics path, controller, app, mesh and traffic; registers their stops. */
async function startParts(options: SandboxOptions, parts: Parts, screen: Screen): Promise<Started> {
  const scenario = scenarios[options.scenario];
  const timing = timingFor((options.speed ?? 1) / (scenario.stretch ?? 1));
  const started = Date.now();
  const emulator = await startEmulator({ podReadyDelayMs: 500 });
  parts.stops.push(() => emulator.stop());
  for (const image of scenario.neverReady ?? []) emulator.workloads.neverReady({ image });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(emulator.kubeconfig());
  await installCrds(kubeConfig);

  const pods = new PodMetrics();
  const direct = createDirectMetrics(pods);
  const path = await startMetricsPath({ mode: options.metrics ?? 'auto', pods, direct, scrapeIntervalMs: sandboxScrapeMs });
  parts.stops.push(() => path.stop());
  screen.log(path.notice);

  const load = await loadTesterFor(scenario, parts);
  const catalog = await sandboxCatalog();
  const controller = await createController({
    kubeConfig, metrics: path.source, catalog, namespace: scenario.namespace, resyncMs: 2000,
    log: options.log ?? pino({ level: 'silent' }),
    webhookAllowList: load.allow,
  });
  await controller.start();
  parts.stops.push(() => controller.stop());
  const dashboard = await startSandboxDashboard(kubeConfig, scenario.namespace);
  parts.stops.push(() => dashboard.stop());
  screen.log(`dashboard: ${dashboard.url}`);

  const routing = routingOf(scenario, options.router ?? 'smi');
  const analysis = await analysisTemplateFor(scenario, { kubeConfig, catalog });
  await createApp(kubeConfig, appDeployment(scenario, timing, { ...load.annotations, ...routing.annotations, ...analysis }));
  const mesh = startMesh({ kubeConfig, apps: [{ namespace: scenario.namespace, app: scenario.app }], ...routing.mesh });
  parts.stops.push(() => mesh.stop());
  const traffic = createTraffic({
    routes: () => mesh.routes(), metrics: pods, behaviour: behaviourOf(scenario), random: seeded(options.seed ?? 1), rps: rateOf(options, scenario, load.rps),
    onTick: (at) => {
      direct.snapshot(at);
      pods.retain(mesh.pods());
    },
  });
  parts.stops.push(() => traffic.stop());
  const autoscaler = await autoscalerFor({ kubeConfig, scenario, traffic }, parts);
  return { emulator, dashboardUrl: dashboard.url, autoscaler, stage: { scenario, timing, kubeConfig, path, direct, traffic, screen, catalog, started } };
}

type Scaled = { primaryReplicas: number; desired: number } | null;

/** The primary scaled by its HPA past the app's initial size, and at the size the HPA wants. */
function scaledOk(scenario: Scenario, scaled: Scaled): boolean {
  return scaled !== null && scaled.primaryReplicas === scaled.desired && scaled.primaryReplicas > scenario.replicas;
}

/** The primary's size once its HPA has seen the release's end (up to 10 s of autoscaler passes). */
async function settledScale(autoscaler: RunningAutoscaler, scenario: Scenario): Promise<Scaled> {
  let scaled: Scaled = null;
  for (let i = 0; i < 20; i += 1) {
    scaled = await autoscaler.report();
    if (scaledOk(scenario, scaled)) return scaled;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return scaled;
}

function autoscaledLine(scenario: Scenario, scaled: Scaled): string {
  if (scaled === null) return `autoscaling: ${scenario.app}-primary or its HPA is missing ✗`;
  const mark = scaledOk(scenario, scaled) ? '' : ' ✗';
  return `autoscaling: ${scenario.app}-primary runs ${scaled.primaryReplicas} replicas, its HPA wants ${scaled.desired} (the app started with ${scenario.replicas})${mark}`;
}

export async function runSandbox(options: SandboxOptions): Promise<SandboxResult> {
  const parts: Parts = { stops: [] };
  const screen = createScreen({ isTty: options.isTty, write: options.write });
  try {
    const running = await startParts(options, parts, screen);
    const { stage, autoscaler } = running;
    const releases = await playReleases(stage);
    screen.close();
    const elapsedMs = Date.now() - stage.started;
    for (const line of summaryLines(releases, elapsedMs)) options.write(`${line}\n`);
    const { scenario } = stage;
    const scaled = autoscaler === null ? undefined : await settledScale(autoscaler, scenario);
    if (scaled !== undefined) options.write(`${autoscaledLine(scenario, scaled)}\n`);
    const ok = releases.length === scenario.releases.length && releases.every(releaseOk) && (scaled === undefined || scaledOk(scenario, scaled));
    if (options.keep === true) await keepRunning(options, running, { namespace: scenario.namespace, app: scenario.app, nextImage: 'podinfo:2.0' });
    return { ok, metricsSource: stage.path.label, releases, elapsedMs, ...(scaled === undefined ? {} : { autoscaling: scaled }) };
  } finally {
    screen.close();
    await stopAll(parts);
  }
}
