// Watches as hints: informers on Deployments, ConfigMaps, Secrets and Canaries turn changes
// into work-queue keys, restart (with backoff) after the errors that stop them, and a periodic
// resync calls back for every known key anyway, because watches can miss events.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, ListWatch, Watch } from '@kubernetes/client-node';
import type { Informer, KubeConfig, KubernetesListObject, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import { canaryGroup, canaryPlural, canaryVersion } from '../ports.ts';
import { KubeApiError, mapApiError, statusOf } from '../adapters/kube/errors.ts';
import { systemTimers } from './timers.ts';
import type { Timers } from './timers.ts';

export type WatchedKind = 'deployments' | 'configmaps' | 'secrets' | 'services' | 'canaries' | 'trafficsplits' | 'httproutes' | 'analysistemplates' | 'clusteranalysistemplates' | 'horizontalpodautoscalers';
export type WatchEvent = 'add' | 'update' | 'delete' | 'resync';

export interface WatchSpec {
  readonly kind: WatchedKind;
  /** Keys ("namespace/name") to reconcile for an object event; [] to ignore it. */
  readonly keysOf: (object: KubernetesObject, event: WatchEvent) => readonly string[];
  /**
   * True for an event that is a change made outside the controller (a new pod template, a
   * user's annotation): its keys are passed on as urgent. Never for the echo of the controller's
   * own writes, nor for resyncs. Called once per event, after keysOf.
   */
  readonly urgent?: (object: KubernetesObject, event: WatchEvent) => boolean;
  /** Narrows what is listed and cached (e.g. only labelled ConfigMaps). */
  readonly labelSelector?: string;
  /** The kind may not be served (its CRD not installed): it keeps trying but never holds back readiness. */
  readonly optional?: boolean;
  /**
   * What the cache keeps of an object (controller-runtime's TransformFunc), applied once as it
   * enters the cache, before keysOf and every read see it; the whole object when undefined.
   */
  readonly shape?: (object: KubernetesObject) => KubernetesObject;
}

/** Custom resources watched, by group, version and plural (TrafficSplits at the default router's version, HTTPRoutes at v1). */
const customKinds: Readonly<Partial<Record<WatchedKind, { group: string; version: string; plural: string; cluster?: boolean }>>> = {
  canaries: { group: canaryGroup, version: canaryVersion, plural: canaryPlural },
  analysistemplates: { group: canaryGroup, version: canaryVersion, plural: 'analysistemplates' },
  clusteranalysistemplates: { group: canaryGroup, version: canaryVersion, plural: 'clusteranalysistemplates', cluster: true },
  trafficsplits: { group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits' },
  httproutes: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
  // A built-in kind, listed and watched through the same generic client.
  horizontalpodautoscalers: { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers' },
};

export interface WatchOptions {
  readonly kc: KubeConfig;
  /** One namespace, or all when undefined. */
  readonly namespace?: string;
  readonly watches: readonly WatchSpec[];
  /** A key to reconcile; `urgent` when an outside change raised it (see WatchSpec.urgent). */
  readonly onKey: (key: string, urgent: boolean) => void;
  /** Every this often, call back for every key of every cached object (default 5 min; 0 = never). */
  readonly resyncMs?: number;
  /** Restart delay after an informer error: base doubling to cap (defaults 1 s, 30 s). */
  readonly restartBaseMs?: number;
  readonly restartCapMs?: number;
  readonly timers?: Timers;
  /** An informer failed and will restart; for logs and metrics. */
  readonly onError?: (kind: WatchedKind, error: unknown) => void;
}

type ListFn = () => Promise<KubernetesListObject<KubernetesObject>>;
type Cached = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
/** One page of a list: at most `limit` items after `_continue`. */
type PageFn = (page: { limit: number; _continue?: string }) => Promise<unknown>;

/** Items per list page: a first list of thousands of objects never sits in memory as one answer. */
export const listPageSize = 500;

/**
 * Lists page by page (limit/continue, one consistent snapshot), shaping each page before the next
 * is asked for. The list's resourceVersion is the first page's (the snapshot's).
 */
export function pagedList(page: PageFn, shape: (object: KubernetesObject) => KubernetesObject = (o) => o): ListFn {
  return async () => {
    const items: KubernetesObject[] = [];
    let first: KubernetesListObject<KubernetesObject> | undefined;
    let next: string | undefined;
    do {
      const listed = (await page({ limit: listPageSize, ...(next === undefined ? {} : { _continue: next }) })) as KubernetesListObject<KubernetesObject>;
      first ??= listed;
      for (const item of listed.items) items.push(shape(item));
      next = listed.metadata?._continue || undefined;
    } while (next !== undefined);
    const { resourceVersion } = first.metadata ?? {};
    return { ...first, metadata: resourceVersion === undefined ? {} : { resourceVersion }, items };
  };
}

/** The paged list call and watch path for one kind. */
function source(kc: KubeConfig, kind: WatchedKind, scope: { namespace?: string | undefined; labelSelector?: string | undefined }): { path: string; page: PageFn } {
  const { namespace } = scope;
  const labelSelector = scope.labelSelector === undefined ? {} : { labelSelector: scope.labelSelector };
  const ns = namespace === undefined ? '' : `/namespaces/${namespace}`;
  if (kind === 'deployments') {
    const apps = kc.makeApiClient(AppsV1Api);
    const page: PageFn = namespace === undefined ? (p) => apps.listDeploymentForAllNamespaces({ ...labelSelector, ...p }) : (p) => apps.listNamespacedDeployment({ namespace, ...labelSelector, ...p });
    return { path: `/apis/apps/v1${ns}/deployments`, page };
  }
  const custom = customKinds[kind];
  if (custom !== undefined) {
    const api = kc.makeApiClient(CustomObjectsApi);
    const { cluster, ...gv } = custom;
    const gvp = { ...gv, ...labelSelector };
    // A cluster-scoped kind is listed whole, whatever namespace the controller watches.
    const everywhere = namespace === undefined || cluster === true;
    const page: PageFn = everywhere ? (p) => api.listClusterCustomObject({ ...gvp, ...p }) : (p) => api.listNamespacedCustomObject({ ...gvp, namespace, ...p });
    return { path: `/apis/${custom.group}/${custom.version}${everywhere ? '' : ns}/${custom.plural}`, page };
  }
  return { path: `/api/v1${ns}/${kind}`, page: coreList(kc.makeApiClient(CoreV1Api), kind as 'configmaps' | 'secrets' | 'services', { namespace, labelSelector }) };
}

/** The paged list call of a core kind, in one namespace or all. */
function coreList(core: CoreV1Api, kind: 'configmaps' | 'secrets' | 'services', scope: { namespace: string | undefined; labelSelector: { labelSelector?: string } }): PageFn {
  const { namespace, labelSelector } = scope;
  const lists = {
    configmaps: { all: (p: Paging) => core.listConfigMapForAllNamespaces({ ...labelSelector, ...p }), one: (n: string, p: Paging) => core.listNamespacedConfigMap({ namespace: n, ...labelSelector, ...p }) },
    secrets: { all: (p: Paging) => core.listSecretForAllNamespaces({ ...labelSelector, ...p }), one: (n: string, p: Paging) => core.listNamespacedSecret({ namespace: n, ...labelSelector, ...p }) },
    services: { all: (p: Paging) => core.listServiceForAllNamespaces({ ...labelSelector, ...p }), one: (n: string, p: Paging) => core.listNamespacedService({ namespace: n, ...labelSelector, ...p }) },
  } as const;
  const list = lists[kind];
  return namespace === undefined ? list.all : (p) => list.one(namespace, p);
}

type Paging = Parameters<PageFn>[0];

type Shape = (object: KubernetesObject) => KubernetesObject;

/** A watch whose events carry shaped objects (a deleted object's last state too). */
class ShapingWatch extends Watch {
  constructor(
    config: KubeConfig,
    readonly shape: Shape,
  ) {
    super(config);
  }

  override watch(...[path, query, callback, done]: Parameters<Watch['watch']>): Promise<AbortController> {
    const shaped = (phase: string, object: unknown, raw?: unknown): void => {
      const keep = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
      callback(phase, keep ? this.shape(object as KubernetesObject) : object, raw);
    };
    return super.watch(path, query, shaped, done);
  }
}

/** An informer whose cache holds shaped objects: the list's items and every watch event's object. */
function shapedInformer(kc: KubeConfig, input: { path: string; page: PageFn; labelSelector: string | undefined; shape: Shape | undefined }): Cached {
  const { shape } = input;
  if (shape === undefined) return new ListWatch(input.path, new Watch(kc), pagedList(input.page), false, input.labelSelector);
  return new ListWatch(input.path, new ShapingWatch(kc, shape), pagedList(input.page, shape), false, input.labelSelector);
}

/** A refused list or watch (403) names the kind and the permission it lacks, not an opaque HTTP error. */
function explained(kind: WatchedKind, namespace: string | undefined, error: unknown): unknown {
  if (statusOf(error) !== 403) return error;
  const mapped = mapApiError(error, `list and watch ${kind} ${namespace === undefined ? 'in every namespace' : `in namespace ${namespace}`}`);
  const hint = `the controller's RBAC lacks "list" and "watch" on ${kind}; retrying with backoff, not ready until this lists`;
  return new KubeApiError('FLEDGE_API_REJECTED', `${(mapped as Error).message} (${hint})`, { status: 403, cause: error });
}

/** One informer that restarts itself after errors. */
class Restarting {
  readonly informer: Cached;
  synced = false;
  #failures = 0;
  #erroredSince = false;
  #timer: unknown = null;
  #stopped = false;

  constructor(
    readonly spec: WatchSpec,
    readonly options: WatchOptions,
  ) {
    const { path, page } = source(options.kc, spec.kind, { namespace: options.namespace, labelSelector: spec.labelSelector });
    this.informer = shapedInformer(options.kc, { path, page, labelSelector: spec.labelSelector, shape: spec.shape });
    for (const event of ['add', 'update', 'delete'] as const) {
      this.informer.on(event, (object) => {
        this.#failures = 0;
        const keys = spec.keysOf(object, event);
        const urgent = spec.urgent?.(object, event) ?? false;
        for (const key of keys) options.onKey(key, urgent);
      });
    }
    this.informer.on('error', (error: unknown) => this.#failed(error));
  }

  /** Resolves after the first list (or its failure; the restart then follows on its own). */
  async start(): Promise<void> {
    this.#erroredSince = false;
    await this.informer.start().catch((error: unknown) => this.#failed(error));
    if (!this.#erroredSince && !this.#stopped) {
      this.synced = true;
      this.#failures = 0;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    (this.options.timers ?? systemTimers).clear(this.#timer);
    await this.informer.stop().catch(() => undefined);
  }

  #failed(error: unknown): void {
    this.#erroredSince = true;
    // Stopping aborts the watch, which reports an AbortError: that is not a failure.
    if (this.#stopped) return;
    // An optional kind whose CRD is not installed (TrafficSplits with a Gateway API mesh, HTTPRoutes
    // with an SMI one) is said once, not at every retry.
    const absent = this.spec.optional === true && statusOf(error) === 404 && this.#failures > 0;
    if (!absent) this.options.onError?.(this.spec.kind, explained(this.spec.kind, this.options.namespace, error));
    const timers = this.options.timers ?? systemTimers;
    const base = this.options.restartBaseMs ?? 1000;
    const delay = Math.min(this.options.restartCapMs ?? 30_000, base * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    timers.clear(this.#timer);
    this.#timer = timers.set(() => void this.start(), delay);
  }
}

export class Watches {
  readonly #options: WatchOptions;
  readonly #informers: Restarting[];
  #resyncTimer: unknown = null;
  #stopped = false;

  constructor(options: WatchOptions) {
    this.#options = options;
    this.#informers = options.watches.map((spec) => new Restarting(spec, options));
  }

  /** True once every informer has listed once. */
  get synced(): boolean {
    return this.#informers.every((informer) => informer.synced || informer.spec.optional === true);
  }

  /** Starts every informer and the resync timer; resolves after the first lists. */
  async start(): Promise<void> {
    await Promise.all(this.#informers.map((informer) => informer.start()));
    this.#scheduleResync();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    (this.#options.timers ?? systemTimers).clear(this.#resyncTimer);
    await Promise.all(this.#informers.map((informer) => informer.stop()));
  }

  /** Calls back for every key of every cached object (deduplicated). */
  resync(): void {
    const keys = new Set<string>();
    for (const { informer, spec } of this.#informers) {
      for (const object of informer.list()) for (const key of spec.keysOf(object, 'resync')) keys.add(key);
    }
    for (const key of keys) this.#options.onKey(key, false);
  }

  /** One kind's cache, for reads (see cached-reads.ts); never synced when the kind is not watched. */
  lookup(kind: WatchedKind): { readonly synced: boolean; get(name: string, namespace: string): KubernetesObject | undefined; list(namespace: string): readonly KubernetesObject[] } {
    const found = this.#informers.find((i) => i.spec.kind === kind);
    return {
      get synced() {
        return found?.synced ?? false;
      },
      get: (name, namespace) => found?.informer.get(name, namespace),
      list: (namespace) => found?.informer.list(namespace) ?? [],
    };
  }

  /** The cached objects of one kind (for indexes such as "which canaries track this ConfigMap"). */
  cached(kind: WatchedKind): readonly KubernetesObject[] {
    return this.#informers.filter((i) => i.spec.kind === kind).flatMap((i) => [...i.informer.list()]);
  }

  #scheduleResync(): void {
    const every = this.#options.resyncMs ?? 300_000;
    if (this.#stopped || every <= 0) return;
    this.#resyncTimer = (this.#options.timers ?? systemTimers).set(() => {
      this.resync();
      this.#scheduleResync();
    }, every);
  }
}
