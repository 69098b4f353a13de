// ClusterObjects in memory, for reconcile scenarios that need no HTTP. Never kinder than a real
// API server for what reconcile does (see store.ts); failures are the same FledgeErrors the kube
// adapter throws (KubeApiError with the HTTP status); `log` injects faults and records writes.
// One contract suite (test/adapters/cluster-contract.test.ts) runs against this and the emulator.
import type { V1ConfigMap, V1Deployment, V1Secret, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { FledgeError } from '../../errors.ts';
import { canaryStatusSchema } from '../../ports/canary-schema.ts';
import type { CanaryObject, Clock, ClusterObjects, EventRecord, TrafficRouter } from '../../ports.ts';
import type { RouterKind } from '../../config/knobs.ts';
import { parseCanary, parseTemplate, templatePlurals } from '../../ports.ts';
import type { KubeObject } from '../../sandbox/emulator/types.ts';
import { buildEvent, eventName } from '../kube/events.ts';
import { KubeApiError } from '../kube/errors.ts';
import { ApiLog, type ApiCall, type ApiVerb } from './faults.ts';
import { createMemoryRouter } from './router.ts';
import { MemoryStore, type Plural } from './store.ts';
import { MemoryWorkloads } from './workloads.ts';

export interface MemoryClusterOptions {
  readonly clock: Clock;
  /** Sees every failure a call throws (for fledge_api_errors_total), as in the kube adapter. */
  readonly onApiError?: (error: FledgeError) => void;
}

/** The in-memory cluster: the ports, and the handles tests drive it with. */
export interface MemoryCluster {
  /** The controller's view: faults apply to it and its writes are logged. */
  readonly objects: ClusterObjects;
  /** The SMI router of `kind` over the same objects (same faults and log). */
  routerFor(kind: RouterKind): TrafficRouter;
  /** The cluster admin's view (a person, a test's setup): no faults, not logged. */
  readonly admin: ClusterObjects;
  readonly store: MemoryStore;
  /** Faults to inject into the controller's calls and the log of its writes. */
  readonly log: ApiLog;
  /** The simulated deployment controller. */
  readonly workloads: MemoryWorkloads;
}

/** What the calls need of an object; client-node's models and plain JSON both fit. */
interface Named {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string } | undefined;
}
const asKube = (object: unknown): KubeObject => object as KubeObject;
const statusProblems = (object: KubeObject): string[] => {
  if (object['status'] === undefined) return [];
  const result = canaryStatusSchema.safeParse(object['status']);
  return result.success ? [] : result.error.issues.map((i) => `status.${i.path.join('.')}: ${i.message}`);
};

function whereOf(object: Named): { namespace: string; name: string } {
  return { namespace: object.metadata?.namespace ?? 'default', name: object.metadata?.name ?? '' };
}

/** Calls into the store with the kube adapter's error behaviour: 404 on a read is null, on a delete success. */
class Calls {
  constructor(readonly store: MemoryStore, private readonly log: ApiLog, private readonly onError: (error: FledgeError) => void) {}

  run<T>(verb: ApiVerb, resource: string, where: { namespace: string; name: string }, body: (call: ApiCall) => T): Promise<T> {
    try {
      const call = { verb, resource, ...where };
      this.log.enter(call);
      return Promise.resolve(body(call));
    } catch (error) {
      if (error instanceof KubeApiError) this.onError(error);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async get<T>(plural: Plural, namespace: string, name: string, map: (object: KubeObject) => T = (o) => o as T): Promise<T | null> {
    try {
      return await this.run('get', plural, { namespace, name }, (call) => {
        const object = this.store.peek(plural, call.namespace, call.name);
        return object === null ? null : map(object);
      });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return null;
      throw error;
    }
  }

  create<T>(plural: Plural, object: Named): Promise<T> {
    return this.run('create', plural, whereOf(object), (call) => this.store.create(plural, call, asKube(object)) as T);
  }

  replace<T>(plural: Plural, object: Named, subresource?: 'status'): Promise<T> {
    const resource = subresource === undefined ? plural : `${plural}/${subresource}`;
    return this.run('update', resource, whereOf(object), (call) => this.store.update(plural, call, asKube(object), subresource) as T);
  }

  patch<T>(resource: string, where: { namespace: string; name: string }, patch: unknown): Promise<T> {
    const plural = resource.split('/')[0] as Plural;
    return this.run('patch', resource, where, (call) => this.store.patch(plural, call, patch) as T);
  }

  async delete(plural: Plural, namespace: string, name: string): Promise<void> {
    try {
      await this.run('delete', plural, { namespace, name }, () => this.store.delete(plural, namespace, name));
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
    }
  }

  /** Create-or-replace with the stored resourceVersion, as the kube adapter's apply does. */
  async apply<T extends Named>(plural: Plural, object: T): Promise<T> {
    const { namespace, name } = whereOf(object);
    const existing = await this.get<KubeObject>(plural, namespace, name);
    if (existing === null) return this.create(plural, object);
    const resourceVersion = existing.metadata.resourceVersion;
    return this.replace(plural, { ...object, metadata: { ...object.metadata, ...(resourceVersion === undefined ? {} : { resourceVersion }) } });
  }
}

function canaryObjects(calls: Calls): Pick<ClusterObjects, 'getCanary' | 'createCanary' | 'updateCanary' | 'updateCanaryStatus' | 'patchCanaryAnnotations' | 'deleteCanary' | 'listCanaries'> {
  const body = (canary: CanaryObject): Named => {
    const { statusInvalid: _ignored, ...rest } = canary;
    return rest;
  };
  return {
    getCanary: (namespace, name) => calls.get('canaries', namespace, name, parseCanary),
    createCanary: async (canary) => parseCanary(await calls.create('canaries', body(canary))),
    updateCanary: async (canary) => parseCanary(await calls.replace('canaries', body(canary))),
    updateCanaryStatus: async (canary) => parseCanary(await calls.replace('canaries', body(canary), 'status')),
    patchCanaryAnnotations: async (namespace, name, annotations) =>
      parseCanary(await calls.patch('canaries', { namespace, name }, { metadata: { annotations } })),
    deleteCanary: (namespace, name) => calls.delete('canaries', namespace, name),
    listCanaries: (namespace) => calls.run('list', 'canaries', { namespace: namespace ?? '', name: '' }, () => calls.store.list('canaries', namespace).map(parseCanary)),
  };
}

function templateObjects(calls: Calls): Pick<ClusterObjects, 'getAnalysisTemplate' | 'updateAnalysisTemplateStatus'> {
  return {
    getAnalysisTemplate: (ref) => calls.get(templatePlurals[ref.kind] as Plural, ref.namespace ?? '', ref.name, parseTemplate),
    updateAnalysisTemplateStatus: async (template) => {
      const namespace = template.kind === 'AnalysisTemplate' ? (template.metadata.namespace ?? 'default') : '';
      const body = { ...template, metadata: { ...template.metadata, namespace } };
      return parseTemplate(await calls.replace(templatePlurals[template.kind] as Plural, body, 'status'));
    },
  };
}

async function recordEvent(calls: Calls, clock: Clock, record: EventRecord): Promise<void> {
  const now = new Date(record.at ?? clock.now());
  const event = buildEvent(record, now);
  try {
    await calls.create('events', event);
    return;
  } catch (error) {
    if (!(error instanceof KubeApiError && error.code === 'FLEDGE_API_CONFLICT')) throw error;
  }
  const where = whereOf(event);
  const existing = await calls.get<KubeObject>('events', where.namespace, eventName(record));
  const count = typeof existing?.['count'] === 'number' ? existing['count'] : 1;
  await calls.patch('events', where, { count: count + 1, lastTimestamp: now.toISOString() });
}

function objectsOver(calls: Calls, clock: Clock): ClusterObjects {
  return {
    getDeployment: (namespace, name) => calls.get<V1Deployment>('deployments', namespace, name),
    createDeployment: (deployment) => calls.create('deployments', deployment),
    replaceDeployment: (deployment) => calls.replace('deployments', deployment),
    patchDeployment: (namespace, name, patch) => calls.patch('deployments', { namespace, name }, patch),
    scaleDeployment: async (namespace, name, replicas) => {
      const scale = await calls.patch<{ metadata?: { resourceVersion?: string } }>('deployments/scale', { namespace, name }, { spec: { replicas } });
      return scale.metadata?.resourceVersion ?? null;
    },
    getService: (namespace, name) => calls.get<V1Service>('services', namespace, name),
    createService: (service) => calls.create('services', service),
    replaceService: (service) => calls.replace('services', service),
    deleteService: (namespace, name) => calls.delete('services', namespace, name),
    listHpas: (namespace) => calls.run('list', 'horizontalpodautoscalers', { namespace, name: '' }, () => calls.store.list('horizontalpodautoscalers', namespace) as unknown as V2HorizontalPodAutoscaler[]),
    getHpa: (namespace, name) => calls.get<V2HorizontalPodAutoscaler>('horizontalpodautoscalers', namespace, name),
    createHpa: (hpa) => calls.create('horizontalpodautoscalers', hpa),
    replaceHpa: (hpa) => calls.replace('horizontalpodautoscalers', hpa),
    deleteHpa: (namespace, name) => calls.delete('horizontalpodautoscalers', namespace, name),
    getConfigMap: (namespace, name) => calls.get<V1ConfigMap>('configmaps', namespace, name),
    getSecret: (namespace, name) => calls.get<V1Secret>('secrets', namespace, name),
    applyConfigMap: (configMap) => calls.apply('configmaps', configMap),
    applySecret: (secret) => calls.apply('secrets', secret),
    ...canaryObjects(calls),
    ...templateObjects(calls),
    recordEvent: (record) => recordEvent(calls, clock, record),
  };
}

/** A fresh, empty cluster (every namespace exists). */
export function createMemoryCluster(options: MemoryClusterOptions): MemoryCluster {
  const log = new ApiLog();
  const store = new MemoryStore({ now: () => options.clock.now(), validators: { canaries: statusProblems } });
  const onError = options.onApiError ?? ((): void => undefined);
  return {
    objects: objectsOver(new Calls(store, log, onError), options.clock),
    routerFor: (kind) => createMemoryRouter(kind, { store, log }),
    admin: objectsOver(new Calls(store, new ApiLog(), () => undefined), options.clock),
    store,
    log,
    workloads: new MemoryWorkloads(store),
  };
}
