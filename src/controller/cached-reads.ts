// Reads from the watch caches, writes to the API (controller-runtime's client model). Once a
// kind's informer has listed, reconcile reads Deployments, Services, ConfigMaps and Canaries from
// its cache instead of asking the API server. A cache lags behind the controller's own writes by
// one watch event, so what a write returned is kept in a small overlay and read instead of the
// cache until the cache shows that version (or a later one): a reconcile always sees its own
// writes. HPAs are listed from their cache as it is (a list only looks for the app's own HPA,
// which the controller never writes). Secrets are never cached (only tracked ones are read, by
// name, from the API); routers read their TrafficSplits through routeReads, with the same overlay.
import type { KubernetesObject, V1ConfigMap, V1Deployment, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { ClusterObjects, RouteReads } from '../ports.ts';
import { parseTemplate, type CanaryObject, type TemplateObject } from '../ports.ts';
import { cachedCanary, sendingCanary, validatedCanary } from './cache-shapes.ts';
import { isFledgeError } from '../errors.ts';
import { Echoes } from './echoes.ts';
import { keyOf as objectKey } from './names.ts';

/** One informer's cache, as cached reads need it. */
export interface CacheLookup {
  /** True once the informer has listed (its cache is complete). */
  readonly synced: boolean;
  get(name: string, namespace: string): KubernetesObject | undefined;
  /** The cached objects in `namespace` (kinds read by list only). */
  list?(namespace: string): readonly KubernetesObject[];
}

export type CachedKind = 'deployments' | 'services' | 'configmaps' | 'canaries' | 'analysistemplates' | 'clusteranalysistemplates' | 'horizontalpodautoscalers';

interface Written {
  /** What the write returned; undefined when it returned nothing (read the API once instead); null after a delete. */
  readonly object: KubernetesObject | null | undefined;
  readonly at: number;
}

/** Overlay entries older than this are dropped even if the cache never showed their version (a missed event). */
const overlayTtlMs = 60_000;

function versionOf(object: KubernetesObject | null | undefined): number | null {
  const text = object?.metadata?.resourceVersion;
  const version = text === undefined ? Number.NaN : Number(text);
  return Number.isSafeInteger(version) ? version : null;
}

/** The cache has caught up with a write when it shows that version or a later one. */
function caughtUp(cached: KubernetesObject | undefined, written: Written): boolean {
  if (written.object === undefined) return false;
  if (written.object === null) return cached === undefined;
  const mine = versionOf(written.object);
  const theirs = versionOf(cached);
  return mine !== null && theirs !== null && theirs >= mine;
}

/** Entries looked at again per write: the oldest ones, so none outlives its cache's catching up by long. */
const sweptPerWrite = 4;

class Overlay {
  readonly #entries = new Map<string, Written>();
  readonly #now: () => number;
  readonly #cachedOf: (key: string) => KubernetesObject | undefined;

  /** `cachedOf(key)`: what the cache holds now for an entry's key (to drop entries it has caught up with). */
  constructor(now: () => number, cachedOf: (key: string) => KubernetesObject | undefined) {
    this.#now = now;
    this.#cachedOf = cachedOf;
  }

  record(key: string, object: KubernetesObject | null | undefined): void {
    this.#entries.delete(key);
    this.#entries.set(key, { object, at: this.#now() });
    this.#sweep();
  }

  /**
   * Drops the oldest entries the cache has caught up with (or that expired), and moves the others
   * to the back: a written object is not held beside the cache's copy until its key is read again
   * (after a release, thousands of Canaries are never read again until the resync).
   */
  #sweep(): void {
    const oldest = [...this.#take(sweptPerWrite)];
    for (const [key, written] of oldest) {
      this.#entries.delete(key);
      const stale = caughtUp(this.#cachedOf(key), written) || this.#now() - written.at > overlayTtlMs;
      if (!stale) this.#entries.set(key, written);
    }
  }

  *#take(count: number): Generator<[string, Written]> {
    let taken = 0;
    for (const entry of this.#entries) {
      if (taken++ >= count) return;
      yield entry;
    }
  }

  /** The overlay's answer for `key`, or undefined when the cache should answer. */
  answer(key: string, cached: KubernetesObject | undefined): Written | undefined {
    const written = this.#entries.get(key);
    if (written === undefined) return undefined;
    if (caughtUp(cached, written) || this.#now() - written.at > overlayTtlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return written;
  }
}

type Caches = Readonly<Partial<Record<CachedKind, CacheLookup>>>;

interface Reader<T> {
  readonly kind: CachedKind;
  readonly fromApi: (namespace: string, name: string) => Promise<T | null>;
  readonly fromCache: (object: KubernetesObject) => T;
}

function keyOf(kind: CachedKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function validatedOrNull(canary: CanaryObject | null): CanaryObject | null {
  return canary === null ? null : validatedCanary(canary);
}

/** Route reads that also tell this process's own writes from other people's when the watch shows them. */
export interface WatchedRouteReads extends RouteReads {
  /**
   * True for a watch event on a route object that this process did not write: someone edited or
   * deleted it (a repair is urgent). The echo of the router's own write, and resyncs, are not.
   */
  outsideChange(object: KubernetesObject, event: 'add' | 'update' | 'delete' | 'resync'): boolean;
}

/**
 * A router's reads of its route objects from their watch cache (when synced), with its own writes
 * overlaid. An object written (or read from the API) but not in the cache yet is asked for again
 * rather than read as missing.
 */
export function routeReads(cache: CacheLookup, now: () => number = Date.now): WatchedRouteReads {
  const cachedOf = (key: string): KubernetesObject | undefined => {
    const [namespace = '', name = ''] = key.split('/');
    return cache.synced ? cache.get(name, namespace) : undefined;
  };
  const overlay = new Overlay(now, cachedOf);
  const echoes = new Echoes();
  return {
    known: (namespace, name) => {
      if (!cache.synced) return undefined;
      const cached = cache.get(name, namespace);
      const written = overlay.answer(`${namespace}/${name}`, cached);
      if (written === undefined) return cached ?? null;
      return cached === undefined && written.object !== null ? undefined : written.object;
    },
    wrote: (namespace, name, object) => overlay.record(`${namespace}/${name}`, object as KubernetesObject | null | undefined),
    wroteToApi: (namespace, name, object) => echoes.wrote(`${namespace}/${name}`, object as KubernetesObject | null | undefined),
    writing: (namespace, name) => echoes.writing(`${namespace}/${name}`),
    outsideChange: (object, event) => event !== 'resync' && !echoes.isEcho(`${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`, object, event),
  };
}

/**
 * What a scale made of the cached Deployment: its replicas at the new resourceVersion (the /scale
 * answer carries the Deployment's), read until the cache shows that version. Undefined (read the
 * API once instead) when the cache does not hold it or the answer had no version.
 */
function scaledCopy(cache: CacheLookup | undefined, scale: { namespace: string; name: string; replicas: number; version: string | null }): V1Deployment | undefined {
  const cached = cache?.synced === true ? (cache.get(scale.name, scale.namespace) as V1Deployment | undefined) : undefined;
  if (cached === undefined || cached.spec === undefined || scale.version === null) return undefined;
  return { ...cached, metadata: { ...cached.metadata, resourceVersion: scale.version }, spec: { ...cached.spec, replicas: scale.replicas } };
}

/** ClusterObjects whose reads come from `caches` (when synced) and whose writes go to `api`. */
export function readThroughCaches(api: ClusterObjects, caches: Caches, now: () => number = Date.now, deploymentEchoes: Echoes = new Echoes()): ClusterObjects {
  const overlay = new Overlay(now, (key) => {
    const [kind = '', namespace = '', name = ''] = key.split('/');
    const cache = caches[kind as CachedKind];
    return cache?.synced === true ? cache.get(name, namespace) : undefined;
  });
  const read = async <T>(reader: Reader<T>, namespace: string, name: string): Promise<T | null> => {
    const cache = caches[reader.kind];
    if (cache === undefined || !cache.synced) return reader.fromApi(namespace, name);
    const key = keyOf(reader.kind, namespace, name);
    const cached = cache.get(name, namespace);
    const written = overlay.answer(key, cached);
    if (written === undefined) return cached === undefined ? null : reader.fromCache(cached);
    if (written.object === null) return null;
    if (written.object !== undefined) return reader.fromCache(written.object);
    const fresh = await reader.fromApi(namespace, name);
    overlay.record(key, fresh as KubernetesObject | null);
    return fresh;
  };
  const wrote = <T extends KubernetesObject>(kind: CachedKind, result: T): T => {
    overlay.record(keyOf(kind, result.metadata?.namespace ?? '', result.metadata?.name ?? ''), result);
    return result;
  };
  const wroteCanary = (canary: CanaryObject): CanaryObject => wrote('canaries', validatedCanary(canary) as KubernetesObject) as CanaryObject;
  /** A Canary write whose watch event, arriving before the answer, is known by what was sent (cache-shapes.ts). */
  const writeCanary = async (body: CanaryObject, write: () => Promise<CanaryObject>): Promise<CanaryObject> => {
    const done = sendingCanary(body);
    try {
      return wroteCanary(await fresh('canaries', body, write));
    } finally {
      done();
    }
  };
  const touched = (kind: CachedKind, namespace: string, name: string, object: KubernetesObject | null | undefined = undefined): void =>
    overlay.record(keyOf(kind, namespace, name), object);
  /** A write refused as stale (409): the next read of that object asks the API, not the lagging cache. */
  const fresh = async <T>(kind: CachedKind, object: { metadata?: { namespace?: string; name?: string } }, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if (isFledgeError(error) && error.code === 'FLEDGE_API_CONFLICT') touched(kind, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
      throw error;
    }
  };
  /**
   * A Deployment write, whose watch event is then known for its echo by the version it returned
   * (echoes.ts). Not by the write being under way: the Deployment's own controller writes its
   * status meanwhile, and someone may change its pod template, neither of which a scale refuses.
   */
  const echoed = async (object: { metadata?: { namespace?: string; name?: string } }, write: () => Promise<V1Deployment>): Promise<V1Deployment> => {
    const written = await write();
    deploymentEchoes.wrote(objectKey(object), written);
    return written;
  };
  const deployments: Reader<V1Deployment> = { kind: 'deployments', fromApi: (namespace, name) => api.getDeployment(namespace, name), fromCache: (o) => o };
  const services: Reader<V1Service> = { kind: 'services', fromApi: (namespace, name) => api.getService(namespace, name), fromCache: (o) => o };
  const configMaps: Reader<V1ConfigMap> = { kind: 'configmaps', fromApi: (namespace, name) => api.getConfigMap(namespace, name), fromCache: (o) => o };
  const hpas: Reader<V2HorizontalPodAutoscaler> = { kind: 'horizontalpodautoscalers', fromApi: (namespace, name) => api.getHpa(namespace, name), fromCache: (o) => o };
  const hpaCache = caches.horizontalpodautoscalers;
  const canaries: Reader<CanaryObject> = { kind: 'canaries', fromApi: async (namespace, name) => validatedOrNull(await api.getCanary(namespace, name)), fromCache: cachedCanary };
  const templates = (kind: 'analysistemplates' | 'clusteranalysistemplates'): Reader<TemplateObject> => ({
    kind,
    fromApi: (namespace, name) => api.getAnalysisTemplate(kind === 'analysistemplates' ? { kind: 'AnalysisTemplate', namespace, name } : { kind: 'ClusterAnalysisTemplate', namespace: null, name }),
    fromCache: parseTemplate,
  });
  const namespaced = templates('analysistemplates');
  const clusterWide = templates('clusteranalysistemplates');
  return {
    ...api,
    // Templates are read from their caches (the controller only writes their status).
    getAnalysisTemplate: (ref) => (ref.namespace === null ? read(clusterWide, '', ref.name) : read(namespaced, ref.namespace, ref.name)),
    getDeployment: (namespace, name) => read(deployments, namespace, name),
    getService: (namespace, name) => read(services, namespace, name),
    getConfigMap: (namespace, name) => read(configMaps, namespace, name),
    getCanary: (namespace, name) => read(canaries, namespace, name),
    getHpa: (namespace, name) => read(hpas, namespace, name),
    listHpas: async (namespace) => (hpaCache?.synced === true && hpaCache.list !== undefined
      ? hpaCache.list(namespace).map((o) => o as V2HorizontalPodAutoscaler)
      : api.listHpas(namespace)),
    createHpa: async (body) => wrote('horizontalpodautoscalers', await api.createHpa(body)),
    replaceHpa: async (body) => wrote('horizontalpodautoscalers', await fresh('horizontalpodautoscalers', body, () => api.replaceHpa(body))),
    deleteHpa: async (namespace, name) => {
      await api.deleteHpa(namespace, name);
      touched('horizontalpodautoscalers', namespace, name, null);
    },
    createDeployment: async (body) => wrote('deployments', await echoed(body, () => api.createDeployment(body))),
    replaceDeployment: async (body) => wrote('deployments', await echoed(body, () => fresh('deployments', body, () => api.replaceDeployment(body)))),
    patchDeployment: async (namespace, name, patch) => wrote('deployments', await echoed({ metadata: { namespace, name } }, () => api.patchDeployment(namespace, name, patch))),
    scaleDeployment: async (namespace, name, replicas) => {
      const version = await api.scaleDeployment(namespace, name, replicas);
      deploymentEchoes.wroteVersion(objectKey({ metadata: { namespace, name } }), version);
      touched('deployments', namespace, name, scaledCopy(caches.deployments, { namespace, name, replicas, version }));
      return version;
    },
    createService: async (body) => wrote('services', await api.createService(body)),
    replaceService: async (body) => wrote('services', await fresh('services', body, () => api.replaceService(body))),
    deleteService: async (namespace, name) => {
      await api.deleteService(namespace, name);
      touched('services', namespace, name, null);
    },
    applyConfigMap: async (body) => wrote('configmaps', await api.applyConfigMap(body)),
    createCanary: async (body) => wroteCanary(await api.createCanary(body)),
    updateCanary: (body) => writeCanary(body, () => api.updateCanary(body)),
    updateCanaryStatus: (body) => writeCanary(body, () => api.updateCanaryStatus(body)),
    patchCanaryAnnotations: async (namespace, name, annotations) => wroteCanary(await api.patchCanaryAnnotations(namespace, name, annotations)),
    deleteCanary: async (namespace, name) => {
      await api.deleteCanary(namespace, name);
      touched('canaries', namespace, name, null);
    },
  };
}
