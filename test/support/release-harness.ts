// Runs reconcile on a fake clock, with metrics scripted from the weights the router actually
// wrote: "canary" requests are the written weight's share of traffic. Two clusters can back it:
// releaseHarness, the emulator over HTTP, where reconcile's clients authenticate as the
// controller's ServiceAccount with deploy/'s RBAC; memoryHarness, the in-memory cluster
// (src/adapters/memory/), for scenarios whose assertions are about decisions, not about HTTP,
// RBAC, schemas, watches or client-node. The harness's own setup and reads (deploy, setImage,
// canary, …) are the cluster admin's.
import type { TestContext } from 'node:test';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, loadAllYaml, type KubeConfig, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { withEmulator } from './emulator.ts';
import { controllerKubeConfig } from './rbac.ts';
import type { AuditRecord } from '../../src/sandbox/emulator/index.ts';
import type { Emulator } from '../../src/sandbox/emulator/index.ts';
import { createClusterObjects } from '../../src/adapters/kube/cluster.ts';
import { createRouter } from '../../src/adapters/router-factory.ts';
import { createMemoryCluster, type MemoryCluster } from '../../src/adapters/memory/cluster.ts';
import type { Plural } from '../../src/adapters/memory/store.ts';
import { loadCatalog, type Catalog } from '../../src/config/catalog.ts';
import type { RouterKind } from '../../src/config/knobs.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import type { ReconcileDeps } from '../../src/controller/context.ts';
import { HeldLooks } from '../../src/controller/held-looks.ts';
import { Deliveries } from '../../src/controller/deliveries.ts';
import { HookCalls } from '../../src/controller/hook-calls.ts';
import { createHttpHookRunner } from '../../src/adapters/http-hooks.ts';
import { createNoopNotifier } from '../../src/adapters/notify/noop.ts';
import type { Counts, IntervalMeasurement, Sample } from '../../src/core/types.ts';
import type { ClusterObjects, HookRunner, MeasureRequest, MetricsSource, Notifier, TrafficRouter } from '../../src/ports.ts';
import { parentsStatus } from '../../src/sandbox/route-status.ts';

export const crdFiles = [
  new URL('../../deploy/crds/canary.yaml', import.meta.url),
  new URL('../../deploy/crds/analysistemplates.yaml', import.meta.url),
  new URL('../../deploy/crds/clusteranalysistemplates.yaml', import.meta.url),
  new URL('../fixtures/crds/trafficsplit-linkerd-smi-v1alpha1-v1alpha2.yaml', import.meta.url),
];

/** The HTTPRoute CRD a Gateway API implementation installs (for scenarios with fledge.dev/router: gateway-api). */
export const httpRouteCrd = new URL('../../deploy/crds/gateway-api/httproute-gateway-api-v1.6.1-standard.yaml', import.meta.url);

/**
 * Creates every object in the files. client-node's loadAllYaml reads them into its typed models:
 * from plain YAML objects its serializer would drop the `x-kubernetes-*` keys of a CRD's schema
 * under `properties`, and the API server would then prune what they preserve.
 */
export async function applyFiles(kc: KubeConfig, files: readonly URL[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const file of files) {
    for (const object of loadAllYaml(readFileSync(file, 'utf8')) as (KubernetesObject | null)[]) {
      if (object !== null) await api.create(object);
    }
  }
}

/** Failure and slow shares per side; a function of time so scenarios can change mid-run. */
export interface TrafficScript {
  rps: number;
  canary: (at: number) => { failure: number; slow: number } | 'down';
  primary: (at: number) => { failure: number; slow: number };
  /** Prometheus unreachable at this time. */
  outage?: (at: number) => boolean;
  /** Changes a scripted measurement (extra metrics, gauges, per-server outages) given what was asked. */
  decorate?: (request: MeasureRequest, measurement: IntervalMeasurement) => IntervalMeasurement;
}

/** A scenario's view of one release, whichever cluster backs it (the emulator over HTTP, or memory). */
export interface ScenarioHarness {
  /** The cluster admin's objects (setup and reads outside reconcile). */
  readonly admin: ClusterObjects;
  readonly deps: ReconcileDeps;
  now(): number;
  advance(ms: number): void;
  /** Every weight written, in order, with the time. */
  readonly writes: Array<{ at: number; canaryWeight: number }>;
  /** Every measurement asked for, in order (the template and Prometheus it named). */
  readonly measured: MeasureRequest[];
  script: TrafficScript;
  deploy(name: string, options?: { image?: string; annotations?: Record<string, string>; replicas?: number }): Promise<void>;
  setImage(name: string, image: string): Promise<void>;
  step(name: string): Promise<number | null>;
  /** The Canary as stored (rejects with "not found" when there is none). */
  canary(name: string): Promise<Record<string, any>>;
  deployment(name: string): Promise<V1Deployment>;
  /** The TrafficSplit's backends: service → weight. */
  split(name: string): Promise<Record<string, number>>;
  /** The HTTPRoute as stored; null when there is none. */
  route(name: string): Promise<Record<string, any> | null>;
  /**
   * Whether the simulated Gateway API implementation accepts the HTTPRoutes it sees (it writes
   * their status.parents at every settle); null: there is no implementation, nobody writes status.
   */
  acceptRoutes: boolean | null;
  /** Events in `default`. */
  events(): Promise<Array<{ reason?: string | undefined; message?: string | undefined; type?: string | undefined }>>;
  runUntil(name: string, done: (status: Record<string, any>) => boolean, maxSteps?: number): Promise<Record<string, any>>;
  /** Called before every reconcile of runUntil (inject faults, restart, sample invariants). */
  beforeStep?: (() => Promise<void> | void) | undefined;
  /** Errors reconcile threw during runUntil (the work queue would retry them). */
  readonly errors: unknown[];
  /** Violations of the cut-over rule seen at any route write. */
  readonly violations: string[];
  /** Rebuilds every client, as a restarted controller would; no state survives but the cluster's. */
  restart(): void;
}

/** Over the emulator (HTTP, client-node, RBAC as the controller's ServiceAccount). */
export interface Harness extends ScenarioHarness {
  /** The cluster admin. */
  readonly kc: KubeConfig;
  /** The controller's ServiceAccount, which reconcile's clients use. */
  readonly controllerKc: KubeConfig;
  readonly emulator: Emulator;
}

/** Over the in-memory cluster (no HTTP): for scenarios whose assertions are about decisions. */
export interface MemoryHarness extends ScenarioHarness {
  readonly cluster: MemoryCluster;
  /** As the cluster admin (kubectl edit): changes the stored object, conditional on its resourceVersion. */
  edit(plural: Plural, name: string, change: (object: Record<string, any>) => void): Promise<void>;
  /** As the cluster admin (kubectl create): an object of any kind in `default`. */
  put(plural: Plural, object: Record<string, any>): Promise<void>;
  /** As the cluster admin (kubectl delete): idempotent; dependents go at the next settle. */
  remove(plural: Plural, name: string): Promise<void>;
}

/** What the harness needs of the cluster behind it. */
interface Backend {
  readonly admin: ClusterObjects;
  /** Reconcile's objects, built again at every restart. */
  controller(): ClusterObjects;
  router(kind: RouterKind): TrafficRouter;
  canary(name: string): Promise<Record<string, any>>;
  split(name: string): Promise<Record<string, number>>;
  route(name: string): Promise<Record<string, any> | null>;
  /** Writes an HTTPRoute's status (as its implementation would). */
  routeStatus(name: string, status: Record<string, unknown>): Promise<void>;
  events(): Promise<Array<{ reason?: string | undefined; message?: string | undefined; type?: string | undefined }>>;
  /** Lets the cluster's own controllers (deployments, garbage collection) catch up. */
  settle(): Promise<void>;
}

function countsFor(requests: number, rates: { failure: number; slow: number }): Counts {
  return { requests, events: { failures: Math.round(requests * rates.failure), slow: Math.round(requests * rates.slow) } };
}

function scriptedMetrics(h: { writes: Harness['writes']; measured: MeasureRequest[]; script: () => TrafficScript }): MetricsSource {
  const counted = scriptedCounts(h);
  return {
    measure: async (request) => {
      h.measured.push(request);
      const measurement = await counted.measure(request);
      return h.script().decorate?.(request, measurement) ?? measurement;
    },
  };
}

function recorded(source: MetricsSource, measured: MeasureRequest[]): MetricsSource {
  return {
    measure: (request) => {
      measured.push(request);
      return source.measure(request);
    },
  };
}

function scriptedCounts(h: { writes: Harness['writes']; script: () => TrafficScript }): MetricsSource {
  const weightAt = (at: number): number => [...h.writes].reverse().find((w) => w.at <= at)?.canaryWeight ?? 0;
  return {
    measure: async (request: MeasureRequest): Promise<IntervalMeasurement> => {
      const script = h.script();
      const { start, end } = request;
      if (script.outage?.(end) === true) {
        const error: Sample = { kind: 'error', message: 'connect ECONNREFUSED 127.0.0.1:9090' };
        return { start, end, canary: error, primary: error };
      }
      let canaryRequests = 0;
      const step = 1000;
      for (let at = start; at < end; at += step) canaryRequests += (script.rps * weightAt(at)) / 100;
      const total = (script.rps * (end - start)) / 1000;
      const canaryRates = script.canary(end);
      const canary: Sample = canaryRates === 'down' || canaryRequests === 0 ? { kind: 'no-data' } : { kind: 'value', counts: countsFor(Math.round(canaryRequests), canaryRates) };
      return { start, end, canary, primary: { kind: 'value', counts: countsFor(Math.round(total - canaryRequests), script.primary(end)) } };
    },
  };
}

export interface HarnessOptions {
  podReadyDelayMs?: number;
  /** Called at start and at every restart(); a no-op notifier by default. */
  notifier?: () => Notifier;
  webhookAllowList?: readonly string[];
  prometheusAllowList?: readonly string[];
  /** A real metrics source (e.g. a Prometheus with backfilled history) instead of the scripted counts. */
  metrics?: MetricsSource;
  /** Called at start and at every restart(); real HTTP (unsigned) by default. */
  hookRunner?: () => HookRunner;
  /** Sees every resource request the emulator authorizes or denies. */
  audit?: (record: AuditRecord) => void;
  /** Installs the HTTPRoute CRD (emulator only; the in-memory cluster always has HTTPRoutes). */
  gatewayApi?: boolean;
}

/** Where every harness's fake clock starts (tests backfill real Prometheus history around it). */
export const t0 = Date.parse('2026-11-23T10:00:00Z');

/** The release loop over `backend`, with a clock the backend was built with. */
function assemble(backend: Backend, options: HarnessOptions, time: { now: number }, catalog: Catalog): ScenarioHarness {
  const clock = { now: (): number => time.now };
  const writes: ScenarioHarness['writes'] = [];
  const measured: MeasureRequest[] = [];
  const healthy = { failure: 0.005, slow: 0.002 };
  let script: TrafficScript = { rps: 50, canary: () => healthy, primary: () => healthy };
  const { admin } = backend;
  const violations: string[] = [];
  // The cut-over rule, checked against the cluster at every write: a backend that gets traffic has ready pods.
  const checkCapacity = async (app: string, canaryWeight: number): Promise<void> => {
    const ready = async (name: string): Promise<number> => (await admin.getDeployment('default', name))?.status?.readyReplicas ?? 0;
    if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) violations.push(`weight ${canaryWeight}`);
    if (canaryWeight > 0 && (await ready(app)) === 0) violations.push(`canary weight ${canaryWeight} with no ready canary pods`);
    if (canaryWeight < 100 && (await ready(`${app}-primary`)) === 0) violations.push(`primary weight ${100 - canaryWeight} with no ready primary pods`);
  };
  const recording = (router: TrafficRouter): TrafficRouter => ({
    read: (ref) => router.read(ref),
    remove: (ref) => router.remove(ref),
    write: async (ref, canaryWeight) => {
      await checkCapacity(ref.name, canaryWeight);
      await router.write(ref, canaryWeight);
      writes.push({ at: time.now, canaryWeight });
    },
  });
  const build = (): ReconcileDeps => {
    const hooks = new HookCalls(options.hookRunner?.() ?? createHttpHookRunner());
    return {
    cluster: backend.controller(),
    routerFor: (kind) => recording(backend.router(kind)),
    metrics: options.metrics === undefined ? scriptedMetrics({ writes, measured, script: () => script }) : recorded(options.metrics, measured),
    notifier: hooks.notices(options.notifier?.() ?? createNoopNotifier()),
    deliveries: new Deliveries(),
    hooks,
    // As the controller runs: looks that only add evidence wait in memory for the interval's write.
    looks: new HeldLooks(),
    ...(options.webhookAllowList === undefined ? {} : { webhookAllowList: options.webhookAllowList }),
    ...(options.prometheusAllowList === undefined ? {} : { prometheusAllowList: options.prometheusAllowList }),
    catalog,
    clock,
    log: pino({ level: 'silent' }),
    };
  };
  let deps = build();
  const errors: unknown[] = [];
  const deployment = async (name: string): Promise<V1Deployment> => {
    const found = await admin.getDeployment('default', name);
    if (found === null) throw new Error(`deployments "${name}" not found`);
    return found;
  };
  const harness: ScenarioHarness = {
    admin,
    get deps() {
      return deps;
    },
    writes,
    measured,
    errors,
    violations,
    beforeStep: undefined,
    restart: () => {
      deps = build();
    },
    now: () => time.now,
    advance: (ms) => {
      time.now += ms;
    },
    get script() {
      return script;
    },
    set script(next) {
      script = next;
    },
    deploy: async (name, o = {}) => {
      const labels = { app: name };
      await admin.createDeployment({
        metadata: { name, namespace: 'default', annotations: { 'fledge.dev/canary': 'true', ...o.annotations } },
        spec: {
          replicas: o.replicas ?? 2,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: o.image ?? `${name}:1.0`, ports: [{ containerPort: 8080 }] }] } },
        },
      });
    },
    setImage: async (name, image) => {
      const current = await deployment(name);
      const container = current.spec!.template.spec!.containers[0]!;
      container.image = image;
      await admin.replaceDeployment(current);
    },
    step: async (name) => (await reconcile(deps, { namespace: 'default', name })).requeueAfterMs,
    canary: (name) => backend.canary(name),
    deployment,
    split: (name) => backend.split(name),
    route: (name) => backend.route(name),
    acceptRoutes: null,
    events: () => backend.events(),
    runUntil: async (name, done, maxSteps = 400) => {
      for (let i = 0; i < maxSteps; i += 1) {
        await harness.beforeStep?.();
        let requeue: number | null = 1000;
        try {
          requeue = await harness.step(name);
        } catch (error) {
          if (harness.beforeStep === undefined) throw error;
          errors.push(error);
        }
        const canary = await harness.canary(name).catch(() => ({}));
        if (done((canary as { status?: Record<string, any> }).status ?? {})) return canary;
        // Let the cluster's simulated deployment controller (and Gateway API implementation) catch up, then move time on.
        await backend.settle();
        await implementRoute(harness, backend, name);
        harness.advance(Math.max(1000, Math.min(requeue ?? 5000, 60_000)));
      }
      throw new Error(`${name} did not reach the expected state in ${maxSteps} reconciles`);
    },
  };
  return harness;
}

/** The simulated Gateway API implementation: reports on the app's HTTPRoute as `acceptRoutes` says. */
async function implementRoute(h: ScenarioHarness, backend: Backend, name: string): Promise<void> {
  if (h.acceptRoutes === null) return;
  const route = await backend.route(name);
  if (route === null) return;
  await backend.routeStatus(name, parentsStatus(route, { accepted: h.acceptRoutes, now: h.now(), message: h.acceptRoutes ? 'Route is accepted' : 'no Gateway API implementation serves this parent' }));
}

function backendsOf(split: unknown): Record<string, number> {
  const backends = (split as { spec?: { backends?: Array<{ service: string; weight: number | string }> } }).spec?.backends ?? [];
  return Object.fromEntries(backends.map((b) => [b.service, Number(b.weight)]));
}

/** Reconcile against the emulator over HTTP, as the controller's ServiceAccount. */
export async function releaseHarness(t: TestContext, options: HarnessOptions = {}): Promise<Harness> {
  const { emulator, kubeConfig: kc } = await withEmulator(t, {
    podReadyDelayMs: options.podReadyDelayMs ?? 0,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  });
  await applyFiles(kc, crdFiles);
  const controllerKc = await controllerKubeConfig(emulator, kc);
  const time = { now: t0 };
  const clock = { now: (): number => time.now };
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const routes = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespace: 'default' };
  if (options.gatewayApi === true) await applyFiles(kc, [httpRouteCrd]);
  const backend: Backend = {
    admin: createClusterObjects(kc, { clock }),
    controller: () => createClusterObjects(controllerKc, { clock }),
    router: (kind) => createRouter(kind, controllerKc),
    canary: async (name) => (await custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name })) as Record<string, any>,
    split: async (name) => backendsOf(await custom.getNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: 'default', name })),
    route: async (name) => (await custom.getNamespacedCustomObject({ ...routes, name }).catch((error: unknown) => {
      if ((error as { code?: number }).code === 404) return null;
      throw error;
    })) as Record<string, any> | null,
    routeStatus: async (name, status) => {
      const current = (await custom.getNamespacedCustomObject({ ...routes, name })) as Record<string, any>;
      await custom.replaceNamespacedCustomObjectStatus({ ...routes, name, body: { ...current, status } });
    },
    events: async () => (await core.listNamespacedEvent({ namespace: 'default' })).items,
    settle: () => new Promise((resolve) => setTimeout(resolve, 5)),
  };
  return Object.assign(assemble(backend, options, time, await loadCatalog()), { kc, controllerKc, emulator });
}

/** Reconcile against the in-memory cluster: no HTTP, no RBAC; the same scenarios, faster. */
export async function memoryHarness(_t: TestContext, options: Omit<HarnessOptions, 'podReadyDelayMs' | 'audit' | 'gatewayApi'> = {}): Promise<MemoryHarness> {
  const time = { now: t0 };
  const cluster = createMemoryCluster({ clock: { now: () => time.now } });
  const backend: Backend = {
    admin: cluster.admin,
    controller: () => cluster.objects,
    router: (kind) => cluster.routerFor(kind),
    canary: async (name) => {
      const canary = cluster.store.peek('canaries', 'default', name);
      if (canary === null) throw new Error(`canaries "${name}" not found`);
      return canary as Record<string, any>;
    },
    split: async (name) => backendsOf(cluster.store.peek('trafficsplits', 'default', name)),
    route: async (name) => cluster.store.peek('httproutes', 'default', name),
    routeStatus: async (name, status) => cluster.store.writeStatus('httproutes', 'default', name, status),
    events: async () => cluster.store.list('events', 'default') as Array<{ reason?: string; message?: string; type?: string }>,
    settle: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      cluster.workloads.settle();
    },
  };
  const call = (verb: 'create' | 'update', plural: Plural, name: string) => ({ verb, resource: plural, namespace: 'default', name });
  return Object.assign(assemble(backend, options, time, await loadCatalog()), {
    cluster,
    edit: async (plural: Plural, name: string, change: (object: Record<string, any>) => void) => {
      const object = cluster.store.peek(plural, 'default', name);
      if (object === null) throw new Error(`${plural} "${name}" not found`);
      change(object);
      cluster.store.update(plural, call('update', plural, name), object);
    },
    put: async (plural: Plural, object: Record<string, any>) => {
      const name = String(object['metadata']?.name ?? '');
      cluster.store.create(plural, call('create', plural, name), { ...object, metadata: { namespace: 'default', ...object['metadata'] } });
    },
    remove: async (plural: Plural, name: string) => cluster.store.delete(plural, 'default', name),
  });
}
