// The controller: watches are hints that enqueue keys, a periodic resync enqueues every
// annotated Deployment anyway (watches miss events), and a keyed work queue runs reconcile —
// one at a time per app, many apps in parallel, with backoff on errors.
import pino, { type Logger } from 'pino';
import { AppsV1Api, CustomObjectsApi, makeInformer, type KubeConfig, type Informer, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { createClusterObjects } from '../adapters/kube/cluster.ts';
import { createRouter } from '../adapters/smi-router.ts';
import { loadCatalog, type Catalog } from '../config/catalog.ts';
import { isFledgeError } from '../errors.ts';
import type { Clock, MetricsSource, Notifier } from '../ports.ts';
import type { ReconcileDeps, ReconcileTelemetry } from './context.ts';
import { canaryAnnotation } from './names.ts';
import { reconcile } from './reconcile.ts';
import { systemClock } from './timers.ts';
import { WorkQueue } from './work-queue.ts';

export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly metrics: MetricsSource;
  readonly notifier?: Notifier;
  readonly catalog?: Catalog;
  /** Watch one namespace; all when undefined. */
  readonly namespace?: string;
  readonly resyncMs?: number;
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly telemetry?: ReconcileTelemetry & { reconciled?: (ms: number) => void; failed?: (code: string) => void };
  readonly webhookAllowList?: readonly string[];
}

export interface Controller {
  /** Starts watching and reconciling; resolves once the first full resync is queued. */
  start(): Promise<void>;
  /** Stops watches and timers and waits for in-flight reconciles. */
  stop(): Promise<void>;
  /** True after start() listed the cluster once (readiness). */
  readonly synced: boolean;
}

const defaultResyncMs = 30_000;

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? 'default'}/${object.metadata?.name ?? ''}`;
}

function splitKey(key: string): { namespace: string; name: string } {
  const [namespace = 'default', name = ''] = key.split('/');
  return { namespace, name };
}

function annotated(deployment: V1Deployment): boolean {
  return deployment.metadata?.annotations?.[canaryAnnotation] !== undefined;
}

class RunningController implements Controller {
  readonly #options: ControllerOptions;
  readonly #log: Logger;
  readonly #queue: WorkQueue;
  readonly #informers: Informer<KubernetesObject>[] = [];
  #resync: NodeJS.Timeout | null = null;
  #stopped = false;
  synced = false;

  constructor(options: ControllerOptions, deps: ReconcileDeps) {
    this.#options = options;
    this.#log = deps.log;
    this.#queue = new WorkQueue({
      reconcile: (key) => reconcile(deps, splitKey(key)),
      concurrency: options.concurrency ?? 4,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      onError: (key, error) => {
        const code = isFledgeError(error) ? error.code : 'FLEDGE_INTERNAL';
        options.telemetry?.failed?.(code);
        this.#log.warn({ canary: key, code, err: error instanceof Error ? error.message : String(error) }, 'reconcile failed; retrying with backoff');
      },
      onDone: (_key, ms) => options.telemetry?.reconciled?.(ms),
    });
  }

  async start(): Promise<void> {
    await this.#resyncAll();
    this.synced = true;
    this.#watch();
    const every = this.#options.resyncMs ?? defaultResyncMs;
    this.#resync = setInterval(() => void this.#resyncAll().catch((error: unknown) => this.#log.warn({ err: String(error) }, 'resync failed')), every);
    this.#resync.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#resync !== null) clearInterval(this.#resync);
    await Promise.all(this.#informers.map((informer) => informer.stop().catch(() => undefined)));
    await this.#queue.shutdown();
  }

  /** Lists every annotated Deployment (and every Canary, for hand-back) and enqueues it. */
  async #resyncAll(): Promise<void> {
    const { kubeConfig, namespace } = this.#options;
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const list = namespace === undefined ? await apps.listDeploymentForAllNamespaces() : await apps.listNamespacedDeployment({ namespace });
    for (const deployment of list.items) if (annotated(deployment)) this.#queue.add(keyOf(deployment));
  }

  #informer(path: string, list: () => Promise<{ items: KubernetesObject[] }>, onEvent: (object: KubernetesObject) => void): void {
    const informer = makeInformer(this.#options.kubeConfig, path, list as never);
    informer.on('add', onEvent);
    informer.on('update', onEvent);
    informer.on('delete', onEvent);
    // Informers stop on unexpected errors: restart after a pause; resync covers the gap.
    informer.on('error', (error: unknown) => {
      this.#log.warn({ path, err: String(error) }, 'watch failed; restarting');
      setTimeout(() => {
        if (!this.#stopped) void informer.start().catch(() => undefined);
      }, 2_000).unref();
    });
    this.#informers.push(informer);
    void informer.start().catch((error: unknown) => this.#log.warn({ path, err: String(error) }, 'watch did not start'));
  }

  #watch(): void {
    const { kubeConfig, namespace } = this.#options;
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const scope = namespace === undefined ? '' : `/namespaces/${namespace}`;
    this.#informer(`/apis/apps/v1${scope}/deployments`, () => (namespace === undefined ? apps.listDeploymentForAllNamespaces() : apps.listNamespacedDeployment({ namespace })), (object) => {
      const deployment = object as V1Deployment;
      const name = deployment.metadata?.name ?? '';
      if (annotated(deployment)) this.#queue.add(keyOf(deployment));
      // A primary's or canary's readiness change matters to its app.
      else if (name.endsWith('-primary')) this.#queue.add(keyOf(deployment).replace(/-primary$/, ''));
    });
    const canaries = (): Promise<{ items: KubernetesObject[] }> =>
      (namespace === undefined
        ? custom.listClusterCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries' })
        : custom.listNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace })) as Promise<{ items: KubernetesObject[] }>;
    // Requests (`fledge promote` …) arrive as Canary annotation changes.
    this.#informer(`/apis/fledge.dev/v1alpha1${scope}/canaries`, canaries, (object) => this.#queue.add(keyOf(object)));
  }
}

/** Builds a controller from its dependencies; nothing runs until start(). */
export async function createController(options: ControllerOptions): Promise<Controller> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? pino({ level: 'info' });
  const deps: ReconcileDeps = {
    cluster: createClusterObjects(options.kubeConfig, { clock }),
    routerFor: (kind) => createRouter(kind, options.kubeConfig),
    metrics: options.metrics,
    notifier: options.notifier ?? { notify: () => undefined },
    catalog: options.catalog ?? (await loadCatalog()),
    clock,
    log,
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    ...(options.webhookAllowList === undefined ? {} : { webhookAllowList: options.webhookAllowList }),
  };
  return new RunningController(options, deps);
}
