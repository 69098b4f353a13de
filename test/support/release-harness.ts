// Runs reconcile against the emulator on a fake clock, with metrics scripted from the weights
// the router actually wrote: "canary" requests are the written weight's share of traffic.
// Reconcile's clients authenticate as the controller's ServiceAccount with deploy/'s RBAC; the
// harness's own setup and reads (deploy, setImage, canary, …) are the cluster admin's.
import type { TestContext } from 'node:test';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { AppsV1Api, KubernetesObjectApi, CustomObjectsApi, loadAllYaml, type KubeConfig, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { withEmulator } from './emulator.ts';
import { controllerKubeConfig } from './rbac.ts';
import type { AuditRecord } from '../../src/sandbox/emulator/index.ts';
import type { Emulator } from '../../src/sandbox/emulator/index.ts';
import { createClusterObjects } from '../../src/adapters/kube/cluster.ts';
import { createRouter } from '../../src/adapters/smi-router.ts';
import { loadCatalog } from '../../src/config/catalog.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import type { ReconcileDeps } from '../../src/controller/context.ts';
import { Deliveries } from '../../src/controller/deliveries.ts';
import { HookCalls } from '../../src/controller/hook-calls.ts';
import { createHttpHookRunner } from '../../src/adapters/http-hooks.ts';
import { createNoopNotifier } from '../../src/adapters/notify/noop.ts';
import type { Counts, IntervalMeasurement, Sample } from '../../src/core/types.ts';
import type { HookRunner, MeasureRequest, MetricsSource, Notifier, TrafficRouter } from '../../src/ports.ts';

export const crdFiles = [
  new URL('../../deploy/crds/canary.yaml', import.meta.url),
  new URL('../fixtures/crds/trafficsplit-linkerd-smi-v1alpha1-v1alpha2.yaml', import.meta.url),
];

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
}

export interface Harness {
  /** The cluster admin. */
  readonly kc: KubeConfig;
  /** The controller's ServiceAccount, which reconcile's clients use. */
  readonly controllerKc: KubeConfig;
  readonly emulator: Emulator;
  readonly deps: ReconcileDeps;
  now(): number;
  advance(ms: number): void;
  /** Every weight written, in order, with the time. */
  readonly writes: Array<{ at: number; canaryWeight: number }>;
  script: TrafficScript;
  deploy(name: string, options?: { image?: string; annotations?: Record<string, string>; replicas?: number }): Promise<void>;
  setImage(name: string, image: string): Promise<void>;
  step(name: string): Promise<number | null>;
  canary(name: string): Promise<Record<string, any>>;
  deployment(name: string): Promise<V1Deployment>;
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

function countsFor(requests: number, rates: { failure: number; slow: number }): Counts {
  return { requests, events: { failures: Math.round(requests * rates.failure), slow: Math.round(requests * rates.slow) } };
}

function scriptedMetrics(h: { writes: Harness['writes']; script: () => TrafficScript }): MetricsSource {
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
  /** Called at start and at every restart(); real HTTP (unsigned) by default. */
  hookRunner?: () => HookRunner;
  /** Sees every resource request the emulator authorizes or denies. */
  audit?: (record: AuditRecord) => void;
}

export async function releaseHarness(t: TestContext, options: HarnessOptions = {}): Promise<Harness> {
  const { emulator, kubeConfig: kc } = await withEmulator(t, {
    podReadyDelayMs: options.podReadyDelayMs ?? 0,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  });
  await applyFiles(kc, crdFiles);
  const controllerKc = await controllerKubeConfig(emulator, kc);
  let now = Date.parse('2026-11-23T10:00:00Z');
  const clock = { now: () => now };
  const writes: Harness['writes'] = [];
  const healthy = { failure: 0.005, slow: 0.002 };
  let script: TrafficScript = { rps: 50, canary: () => healthy, primary: () => healthy };
  const recording = (router: TrafficRouter): TrafficRouter => ({
    read: (ref) => router.read(ref),
    remove: (ref) => router.remove(ref),
    write: async (ref, canaryWeight) => {
      await checkCapacity(ref.name, canaryWeight);
      await router.write(ref, canaryWeight);
      writes.push({ at: now, canaryWeight });
    },
  });
  const apps = kc.makeApiClient(AppsV1Api);
  const violations: string[] = [];
  // The cut-over rule, checked against the cluster at every write: a backend that gets traffic has ready pods.
  const checkCapacity = async (app: string, canaryWeight: number): Promise<void> => {
    const ready = async (name: string): Promise<number> => (await apps.readNamespacedDeployment({ namespace: 'default', name })).status?.readyReplicas ?? 0;
    if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) violations.push(`weight ${canaryWeight}`);
    if (canaryWeight > 0 && (await ready(app)) === 0) violations.push(`canary weight ${canaryWeight} with no ready canary pods`);
    if (canaryWeight < 100 && (await ready(`${app}-primary`)) === 0) violations.push(`primary weight ${100 - canaryWeight} with no ready primary pods`);
  };
  const catalog = await loadCatalog();
  const build = (): ReconcileDeps => {
    const hooks = new HookCalls(options.hookRunner?.() ?? createHttpHookRunner());
    return {
    cluster: createClusterObjects(controllerKc, { clock }),
    routerFor: (kind) => recording(createRouter(kind, controllerKc)),
    metrics: scriptedMetrics({ writes, script: () => script }),
    notifier: hooks.notices(options.notifier?.() ?? createNoopNotifier()),
    deliveries: new Deliveries(),
    hooks,
    ...(options.webhookAllowList === undefined ? {} : { webhookAllowList: options.webhookAllowList }),
    catalog,
    clock,
    log: pino({ level: 'silent' }),
    };
  };
  let deps = build();
  const errors: unknown[] = [];
  const custom = kc.makeApiClient(CustomObjectsApi);
  const harness: Harness = {
    kc,
    controllerKc,
    emulator,
    get deps() {
      return deps;
    },
    writes,
    errors,
    violations,
    beforeStep: undefined,
    restart: () => {
      deps = build();
    },
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    get script() {
      return script;
    },
    set script(next) {
      script = next;
    },
    deploy: async (name, o = {}) => {
      const labels = { app: name };
      await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name, namespace: 'default', annotations: { 'fledge.dev/canary': 'true', ...o.annotations } },
          spec: {
            replicas: o.replicas ?? 2,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: o.image ?? `${name}:1.0`, ports: [{ containerPort: 8080 }] }] } },
          },
        },
      });
    },
    setImage: async (name, image) => {
      const current = await apps.readNamespacedDeployment({ namespace: 'default', name });
      const container = current.spec!.template.spec!.containers[0]!;
      container.image = image;
      await apps.replaceNamespacedDeployment({ namespace: 'default', name, body: current });
    },
    step: async (name) => (await reconcile(deps, { namespace: 'default', name })).requeueAfterMs,
    canary: async (name) => (await custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name })) as Record<string, any>,
    deployment: (name) => apps.readNamespacedDeployment({ namespace: 'default', name }),
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
        // Let the emulator's simulated deployment controller catch up, then move time on.
        await new Promise((resolve) => setTimeout(resolve, 5));
        harness.advance(Math.max(1000, Math.min(requeue ?? 5000, 60_000)));
      }
      throw new Error(`${name} did not reach the expected state in ${maxSteps} reconciles`);
    },
  };
  return harness;
}
