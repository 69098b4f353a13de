// The controller: watches are hints that enqueue keys, a periodic resync enqueues every
// annotated Deployment anyway (watches miss events), and a keyed work queue runs reconcile —
// one at a time per app, many apps in parallel, with backoff on errors.
import pino, { type Logger } from 'pino';
import type { KubeConfig, KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { createClusterObjects } from '../adapters/kube/cluster.ts';
import { copyKubeConfig, withKeepAlive } from '../adapters/kube/keep-alive.ts';
import { packageVersion } from '../version.ts';
import { readThroughCaches, routeReads } from './cached-reads.ts';
import { cachedCanary, cachedDeployment, cachedObject, cachedService } from './cache-shapes.ts';
import { createNoopNotifier } from '../adapters/notify/noop.ts';
import { createHttpHookRunner } from '../adapters/http-hooks.ts';
import { createRouter } from '../adapters/router-factory.ts';
import type { RouterKind } from '../config/knobs.ts';
import { loadCatalog, type Catalog } from '../config/catalog.ts';
import { isFledgeError, type FledgeError } from '../errors.ts';
import type { Clock, HookRunner, MetricsSource, Notifier, RouteReads, TrafficRouter } from '../ports.ts';
import type { ReconcileDeps, ReconcileTelemetry } from './context.ts';
import { HeldLooks } from './held-looks.ts';
import { EventQueue, withQueuedEvents } from './event-queue.ts';
import { LookPace } from './look-pace.ts';
import { Echoes } from './echoes.ts';
import type { QueueView } from './metrics.ts';
import { Deliveries } from './deliveries.ts';
import { HookCalls } from './hook-calls.ts';
import { canaryAnnotation, keyOf } from './names.ts';
import { reconcileOrReport } from './refusals.ts';
import { systemClock } from './timers.ts';
import { WorkQueue } from './work-queue.ts';
import { Watches } from './watch.ts';
import { canaryChanges, outsideDeploymentChange, routeChanges } from './outside-changes.ts';
import { guardCluster, guardRouter } from './write-guard.ts';
import { trackedRefs } from './tracked.ts';
import { templateWatches } from './template-watches.ts';
import { reconcileTemplate, templateOfKey } from './template-status.ts';

export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly metrics: MetricsSource;
  readonly notifier?: Notifier;
  /** Calls the Canaries' hooks; by default over HTTP, unsigned. */
  readonly hookRunner?: HookRunner;
  readonly catalog?: Catalog;
  /** Watch one namespace; all when undefined. */
  readonly namespace?: string;
  readonly resyncMs?: number;
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly telemetry?: ReconcileTelemetry & {
    reconciled?: (ms: number) => void;
    failed?: (code: string) => void;
    apiError?: (code: string) => void;
    /** Where to read the work queue's depth, average wait and look pace (called once). */
    queue?: (queue: QueueView) => void;
  };
  readonly webhookAllowList?: readonly string[];
  /** Prometheus addresses analysis templates may name (default: none besides the controller's own). */
  readonly prometheusAllowList?: readonly string[];
  /** Where a ClusterAnalysisTemplate's Secret lives (the controller's namespace). */
  readonly controllerNamespace?: string;
  /** False once this replica must stop writing (lost leadership); checked before every write and every reconcile. */
  readonly mayAct?: () => boolean;
  /** Who this replica is (the leader election's identity): named in its API requests' User-Agent, for audit logs. */
  readonly identity?: string;
}

export interface Controller {
  /** Starts watching and reconciling; resolves once the first full resync is queued. */
  start(): Promise<void>;
  /** Stops watches and timers and waits for in-flight reconciles. */
  stop(): Promise<void>;
  /** True once every watch listed the cluster (readiness). */
  readonly synced: boolean;
}

const defaultResyncMs = 30_000;

/** The router kind whose TrafficSplits the watch caches (watch.ts lists them at v1alpha2). */
const cachedRouterKind: RouterKind = 'smi-v1alpha2';

type RouterFactory = (kind: RouterKind, reads?: RouteReads) => TrafficRouter;

function splitKey(key: string): { namespace: string; name: string } {
  const [namespace = 'default', name = ''] = key.split('/');
  return { namespace, name };
}

function annotated(deployment: V1Deployment): boolean {
  return deployment.metadata?.annotations?.[canaryAnnotation] !== undefined;
}

/** Does this app's revision include the ConfigMap `name` (used by its pods, or listed in `fledge.dev/track`)? */
function tracks(deployment: V1Deployment, name: string): boolean {
  const listed = (deployment.metadata?.annotations?.['fledge.dev/track'] ?? '').split(',').map((ref) => ref.trim().toLowerCase());
  if (listed.includes(`configmap/${name.toLowerCase()}`)) return true;
  return trackedRefs(deployment.spec?.template ?? {}, 'pod-template').some((ref) => ref.kind === 'ConfigMap' && ref.name === name);
}

/** Apps in the ConfigMap's namespace that track it. */
function appsUsing(configMap: KubernetesObject, deployments: readonly KubernetesObject[]): string[] {
  const namespace = configMap.metadata?.namespace;
  const name = configMap.metadata?.name ?? '';
  return (deployments as readonly V1Deployment[])
    .filter((d) => d.metadata?.namespace === namespace && annotated(d) && tracks(d, name))
    .map((d) => keyOf(d));
}

class RunningController implements Controller {
  readonly #queue: WorkQueue;
  readonly #watches: Watches;
  readonly #halt: () => void;
  readonly #events: EventQueue;

  constructor(options: ControllerOptions, apiDeps: ReconcileDeps, shell: { halt: () => void; mayAct: () => boolean; routers: RouterFactory; events: EventQueue }) {
    this.#halt = shell.halt;
    this.#events = shell.events;
    const log = apiDeps.log;
    // Watches are hints; the resync enqueues every annotated app and every Canary anyway.
    // Secrets are not watched (that would need list/watch on every Secret): a tracked Secret's
    // change is picked up at the next resync.
    const now = (): number => apiDeps.clock.now();
    // The router reads TrafficSplits from their watch cache; a split someone else changed is urgent.
    const splits = routeReads({
      get synced() {
        return watches().lookup('trafficsplits').synced;
      },
      get: (name, namespace) => watches().lookup('trafficsplits').get(name, namespace),
    }, now);
    const watches = (): Watches => this.#watches;
    const deploymentEchoes = new Echoes();
    this.#watches = new Watches({
      kc: options.kubeConfig,
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      resyncMs: options.resyncMs ?? defaultResyncMs,
      onKey: (key, urgent) => (urgent ? this.#queue.addUrgent(key) : this.#queue.add(key)),
      onError: (kind, error) => log.warn({ kind, err: String(error) }, 'watch failed; restarting'),
      watches: [
        // The caches keep what reconcile reads (cache-shapes.ts).
        // The echo of the controller's own write (a scale, the promoted primary) wakes nothing (echoes.ts).
        { kind: 'deployments', keysOf: (object, event) => (event !== 'resync' && deploymentEchoes.isEcho(keyOf(object), object, event) ? [] : deploymentKeys(object)), urgent: outsideDeploymentChange(), shape: cachedDeployment },
        { kind: 'canaries', ...canaryChanges(), shape: cachedCanary },
        { kind: 'configmaps', keysOf: (object) => appsUsing(object, this.#watches.cached('deployments')), shape: cachedObject },
        // A Service or TrafficSplit of an app edited or deleted by hand is repaired at once, not at the next resync.
        { kind: 'services', keysOf: (object) => this.#annotatedApp(object), shape: cachedService },
        { kind: 'trafficsplits', ...routeChanges((object, event) => splits.outsideChange(object, event), (object) => this.#annotatedApp(object)), optional: true, shape: cachedObject },
        // An HTTPRoute also when only its status changed: an implementation accepting it lets a held run go on.
        { kind: 'httproutes', keysOf: (object) => this.#annotatedApp(object), optional: true, shape: cachedObject },
        // A template's edit re-queues the apps naming it (it applies to their next run) and its own status check.
        ...templateWatches(apiDeps.clusterTemplates ?? true, () => this.#watches.cached('deployments')),
        // The app's HPA (a change resizes the next canary) and the primary's (edited by hand: repaired at once).
        { kind: 'horizontalpodautoscalers', keysOf: (object) => this.#annotatedApp(hpaSubject(object)), shape: cachedObject },
      ],
    });
    // Reads come from the watch caches once they have listed; writes go to the API.
    const cachedKinds = ['deployments', 'services', 'configmaps', 'canaries', 'analysistemplates', 'clusteranalysistemplates', 'horizontalpodautoscalers'] as const;
    const lookups = Object.fromEntries(cachedKinds.map((kind) => [kind, this.#watches.lookup(kind)]));
    const pace = new LookPace({
      oldestPending: () => this.#queue.oldestPendingMs,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      onChange: ({ lookMs, coarse, lateMs }) => (coarse
        ? log.warn({ lookMs, lateMs }, 'reconciles are done about %d ms after they are due, too late for %d ms looks: those canaries are judged once per interval until work is done promptly again', lateMs, lookMs)
        : log.info({ lookMs, lateMs }, 'reconciles are done about %d ms after they are due: canaries with %d ms looks are judged at every look again', lateMs, lookMs)),
    });
    const deps: ReconcileDeps = { ...apiDeps, cluster: readThroughCaches(apiDeps.cluster, lookups, now, deploymentEchoes), routerFor: (kind) => shell.routers(kind, splits), pace };
    this.#queue = new WorkQueue({
      reconcile: (key) => {
        const template = templateOfKey(key);
        return template === null ? reconcileOrReport(deps, splitKey(key)) : reconcileTemplate(deps, template);
      },
      concurrency: options.concurrency ?? 4,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      onError: (key, error) => {
        const code = isFledgeError(error) ? error.code : 'FLEDGE_INTERNAL';
        options.telemetry?.failed?.(code);
        log.warn({ canary: key, code, err: error instanceof Error ? error.message : String(error) }, 'reconcile failed; retrying with backoff');
      },
      onDone: (_key, ms, sinceReadyMs) => {
        options.telemetry?.reconciled?.(ms);
        pace.finished(sinceReadyMs);
      },
      onStart: (_key, waitedMs) => pace.waited(waitedMs),
      // A replica that may not act starts no reconcile (it would decide, log and be refused); its keys wait their turn.
      holding: () => !shell.mayAct(),
    });
    // Events wait while outside changes do (event-queue.ts).
    this.#events.yieldTo(() => this.#queue.urgent > 0);
    options.telemetry?.queue?.({ depth: () => this.#queue.depth, averageWaitMs: () => pace.averageWaitMs, coarse: () => pace.coarse });
    // A delivered notice is removed from its outbox by the app's next reconcile.
    deps.deliveries.onDelivered((key) => this.#queue.add(key));
    // A hook's answer is folded into the app's status by its next reconcile.
    deps.hooks.onAnswer((key) => this.#queue.add(key));
  }

  /** `app`, `app-primary` or `app-canary` → the app's key, when `app` is an annotated Deployment. */
  #annotatedApp(object: KubernetesObject): string[] {
    const namespace = object.metadata?.namespace ?? 'default';
    const app = (object.metadata?.name ?? '').replace(/-(primary|canary)$/, '');
    const deployment = this.#watches.lookup('deployments').get(app, namespace) as V1Deployment | undefined;
    return deployment !== undefined && annotated(deployment) ? [`${namespace}/${app}`] : [];
  }

  get synced(): boolean {
    return this.#watches.synced;
  }

  async start(): Promise<void> {
    await this.#watches.start();
    this.#watches.resync();
  }

  async stop(): Promise<void> {
    // Events already recorded go out first (for at most 2 s, held no more); reconciles still running then finish without writing.
    this.#events.yieldTo(null);
    await Promise.race([this.#events.drained(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    this.#halt();
    await this.#watches.stop();
    await this.#queue.shutdown();
  }
}

/** An HPA concerns the Deployment it scales (`app` or `app-primary`): that name, in its namespace. */
function hpaSubject(hpa: KubernetesObject): KubernetesObject {
  const target = (hpa as { spec?: { scaleTargetRef?: { kind?: string; name?: string } } }).spec?.scaleTargetRef;
  const name = target?.kind === 'Deployment' ? (target.name ?? '') : '';
  return { metadata: { namespace: hpa.metadata?.namespace ?? 'default', name } };
}

/** An annotated Deployment is its own app; a primary's changes (readiness) concern its app. */
function deploymentKeys(deployment: V1Deployment): string[] {
  if (annotated(deployment)) return [keyOf(deployment)];
  const name = deployment.metadata?.name ?? '';
  return name.endsWith('-primary') ? [keyOf(deployment).replace(/-primary$/, '')] : [];
}

/**
 * One router per kind (not one per reconcile). The watch caches TrafficSplits at the default
 * router's version, so only that router reads them from the cache; others ask the API.
 */
function routers(kc: KubeConfig, options: { onApiError: (error: FledgeError) => void; mayAct: () => boolean }): RouterFactory {
  const made = new Map<string, TrafficRouter>();
  return (kind, reads) => {
    const cached = kind === cachedRouterKind && reads !== undefined ? { reads } : {};
    const key = `${kind}/${'reads' in cached ? 'cache' : 'api'}`;
    let router = made.get(key);
    if (router === undefined) {
      router = guardRouter(createRouter(kind, kc, { onApiError: options.onApiError, ...cached }), options.mayAct);
      made.set(key, router);
    }
    return router;
  };
}

/** `fledge/1.2.0 (host-4711)`: what an audit log shows of this replica's requests. */
function userAgentOf(identity: string | undefined): string {
  return `fledge/${packageVersion()}${identity === undefined ? '' : ` (${identity})`}`;
}

/** Builds a controller from its dependencies; nothing runs until start(). */
export async function createController(options: ControllerOptions): Promise<Controller> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? pino({ level: 'info' });
  const onApiError = (error: FledgeError): void => options.telemetry?.apiError?.(error.code);
  let halted = false;
  const mayAct = (): boolean => !halted && (options.mayAct?.() ?? true);
  // The controller's own copy of the KubeConfig (the leader election renews its Lease through the
  // original): its clients share keep-alive connections, name this replica, and send no write
  // once it may not act, checked again just before each write can go out (keep-alive.ts).
  const { kc } = withKeepAlive(copyKubeConfig(options.kubeConfig), { mayWrite: mayAct, userAgent: userAgentOf(options.identity) });
  const hooks = new HookCalls(options.hookRunner ?? createHttpHookRunner({ clock }), (hook, ok) => options.telemetry?.hookAnswer?.(hook, ok));
  const router = routers(kc, { onApiError, mayAct });
  const looks = new HeldLooks();
  const guarded = guardCluster(createClusterObjects(kc, { clock, onApiError }), mayAct);
  const events = new EventQueue((record) => guarded.recordEvent(record), log);
  const deps: ReconcileDeps = {
    // Events go out after the reconcile that recorded them (event-queue.ts).
    cluster: withQueuedEvents(guarded, events, clock),
    routerFor: (kind) => router(kind),
    metrics: options.metrics,
    notifier: hooks.notices(options.notifier ?? createNoopNotifier()),
    deliveries: new Deliveries(),
    hooks,
    looks,
    catalog: options.catalog ?? (await loadCatalog()),
    clock,
    log,
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    ...(options.webhookAllowList === undefined ? {} : { webhookAllowList: options.webhookAllowList }),
    ...(options.prometheusAllowList === undefined ? {} : { prometheusAllowList: options.prometheusAllowList }),
    ...(options.controllerNamespace === undefined ? {} : { controllerNamespace: options.controllerNamespace }),
    // Confined to one namespace, the controller may not read cluster-scoped templates.
    clusterTemplates: options.namespace === undefined,
  };
  const halt = (): void => {
    halted = true;
    // Whoever leads next starts from the stored statuses; nothing held here is written any more.
    looks.clear();
  };
  return new RunningController({ ...options, kubeConfig: kc }, deps, { halt, mayAct, routers: router, events });
}
