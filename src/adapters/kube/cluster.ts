// ClusterObjects: the Kubernetes objects reconcile reads and writes, behind one interface.
// Every method maps API failures with mapApiError (409 → FLEDGE_API_CONFLICT, 429/5xx/network →
// FLEDGE_API_UNAVAILABLE, other 4xx → FLEDGE_API_REJECTED); reads of missing objects are null.
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap, V1Deployment, V1ObjectMeta, V1Secret, V1Service } from '@kubernetes/client-node';
import type { Clock } from '../../ports.ts';
import type { FledgeError } from '../../errors.ts';
import { createCanaryApi } from './canary-resource.ts';
import type { CanaryObject } from './canary-resource.ts';
import { createApiCaller } from './errors.ts';
import type { ApiCaller } from './errors.ts';
import { createEventRecorder } from './events.ts';
import type { EventRecord } from './events.ts';

/** A JSON merge patch (RFC 7386): null deletes a key. */
export type MergePatch = Readonly<Record<string, unknown>>;

export interface ClusterObjects {
  getDeployment(namespace: string, name: string): Promise<V1Deployment | null>;
  createDeployment(deployment: V1Deployment): Promise<V1Deployment>;
  /** Conditional on metadata.resourceVersion when set (stale → FLEDGE_API_CONFLICT). */
  replaceDeployment(deployment: V1Deployment): Promise<V1Deployment>;
  patchDeployment(namespace: string, name: string, patch: MergePatch): Promise<V1Deployment>;
  /** Sets spec.replicas through the /scale subresource. */
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<void>;

  getService(namespace: string, name: string): Promise<V1Service | null>;
  createService(service: V1Service): Promise<V1Service>;
  replaceService(service: V1Service): Promise<V1Service>;
  /** Idempotent: a missing Service is not an error. */
  deleteService(namespace: string, name: string): Promise<void>;

  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | null>;
  getSecret(namespace: string, name: string): Promise<V1Secret | null>;
  /** Create-or-replace (the `-primary` copies); the stored object's resourceVersion is used. */
  applyConfigMap(configMap: V1ConfigMap): Promise<V1ConfigMap>;
  applySecret(secret: V1Secret): Promise<V1Secret>;

  getCanary(namespace: string, name: string): Promise<CanaryObject | null>;
  createCanary(canary: CanaryObject): Promise<CanaryObject>;
  /** Writes status only, conditional on metadata.resourceVersion (stale → FLEDGE_API_CONFLICT). */
  updateCanaryStatus(canary: CanaryObject): Promise<CanaryObject>;
  /** Merge-patches annotations; a null value deletes the annotation. */
  patchCanaryAnnotations(namespace: string, name: string, annotations: Readonly<Record<string, string | null>>): Promise<CanaryObject>;
  /** Idempotent: a missing Canary is not an error. */
  deleteCanary(namespace: string, name: string): Promise<void>;
  /** Canaries in one namespace, or all when `namespace` is undefined. */
  listCanaries(namespace?: string): Promise<CanaryObject[]>;

  /** Creates a core/v1 Event about the Canary, or bumps the count of the same one. */
  recordEvent(event: EventRecord): Promise<void>;
}

export interface ClusterObjectsOptions {
  readonly clock: Clock;
  /** Sees every mapped API error (for fledge_api_errors_total). */
  readonly onApiError?: (error: FledgeError) => void;
}

function where(meta: V1ObjectMeta | undefined): { namespace: string; name: string } {
  return { namespace: meta?.namespace ?? 'default', name: meta?.name ?? '' };
}

/** Get → create or replace with the stored resourceVersion. */
async function createOrReplace<T extends { metadata?: V1ObjectMeta }>(
  object: T,
  ops: { get: () => Promise<T | null>; create: () => Promise<T>; replace: (body: T) => Promise<T> },
): Promise<T> {
  const existing = await ops.get();
  if (existing === null) return ops.create();
  const resourceVersion = existing.metadata?.resourceVersion;
  const metadata = { ...object.metadata, ...(resourceVersion === undefined ? {} : { resourceVersion }) };
  return ops.replace({ ...object, metadata });
}

function workloadObjects(kc: KubeConfig, caller: ApiCaller): Pick<ClusterObjects,
  'getDeployment' | 'createDeployment' | 'replaceDeployment' | 'patchDeployment' | 'scaleDeployment'> {
  const apps = kc.makeApiClient(AppsV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    getDeployment: (namespace, name) =>
      caller.read(`get deployment ${namespace}/${name}`, () => apps.readNamespacedDeployment({ namespace, name })),
    createDeployment: (body) => {
      const { namespace, name } = where(body.metadata);
      return caller.call(`create deployment ${namespace}/${name}`, () => apps.createNamespacedDeployment({ namespace, body }));
    },
    replaceDeployment: (body) => {
      const { namespace, name } = where(body.metadata);
      return caller.call(`replace deployment ${namespace}/${name}`, () => apps.replaceNamespacedDeployment({ namespace, name, body }));
    },
    patchDeployment: (namespace, name, body) =>
      caller.call(`patch deployment ${namespace}/${name}`, () => apps.patchNamespacedDeployment({ namespace, name, body }, mergePatch)),
    scaleDeployment: async (namespace, name, replicas) => {
      const body = { spec: { replicas } };
      await caller.call(`scale deployment ${namespace}/${name} to ${replicas}`, () =>
        apps.patchNamespacedDeploymentScale({ namespace, name, body }, mergePatch));
    },
  };
}

function serviceObjects(core: CoreV1Api, caller: ApiCaller): Pick<ClusterObjects,
  'getService' | 'createService' | 'replaceService' | 'deleteService'> {
  return {
    getService: (namespace, name) => caller.read(`get service ${namespace}/${name}`, () => core.readNamespacedService({ namespace, name })),
    createService: (body) => {
      const { namespace, name } = where(body.metadata);
      return caller.call(`create service ${namespace}/${name}`, () => core.createNamespacedService({ namespace, body }));
    },
    replaceService: (body) => {
      const { namespace, name } = where(body.metadata);
      return caller.call(`replace service ${namespace}/${name}`, () => core.replaceNamespacedService({ namespace, name, body }));
    },
    deleteService: (namespace, name) =>
      caller.remove(`delete service ${namespace}/${name}`, () => core.deleteNamespacedService({ namespace, name })),
  };
}

function configObjects(core: CoreV1Api, caller: ApiCaller): Pick<ClusterObjects,
  'getConfigMap' | 'getSecret' | 'applyConfigMap' | 'applySecret'> {
  const getConfigMap = (namespace: string, name: string): Promise<V1ConfigMap | null> =>
    caller.read(`get configmap ${namespace}/${name}`, () => core.readNamespacedConfigMap({ namespace, name }));
  const getSecret = (namespace: string, name: string): Promise<V1Secret | null> =>
    caller.read(`get secret ${namespace}/${name}`, () => core.readNamespacedSecret({ namespace, name }));
  return {
    getConfigMap,
    getSecret,
    applyConfigMap: (object) => {
      const { namespace, name } = where(object.metadata);
      return createOrReplace(object, {
        get: () => getConfigMap(namespace, name),
        create: () => caller.call(`create configmap ${namespace}/${name}`, () => core.createNamespacedConfigMap({ namespace, body: object })),
        replace: (body) => caller.call(`replace configmap ${namespace}/${name}`, () => core.replaceNamespacedConfigMap({ namespace, name, body })),
      });
    },
    applySecret: (object) => {
      const { namespace, name } = where(object.metadata);
      return createOrReplace(object, {
        get: () => getSecret(namespace, name),
        create: () => caller.call(`create secret ${namespace}/${name}`, () => core.createNamespacedSecret({ namespace, body: object })),
        replace: (body) => caller.call(`replace secret ${namespace}/${name}`, () => core.replaceNamespacedSecret({ namespace, name, body })),
      });
    },
  };
}

/** ClusterObjects over a real (or emulated) API server. */
export function createClusterObjects(kc: KubeConfig, options: ClusterObjectsOptions): ClusterObjects {
  const caller = createApiCaller(options.onApiError);
  const core = kc.makeApiClient(CoreV1Api);
  const canaries = createCanaryApi(kc, caller);
  const events = createEventRecorder(kc, caller, options.clock);
  return {
    ...workloadObjects(kc, caller),
    ...serviceObjects(core, caller),
    ...configObjects(core, caller),
    getCanary: canaries.get,
    createCanary: canaries.create,
    updateCanaryStatus: canaries.updateStatus,
    patchCanaryAnnotations: canaries.patchAnnotations,
    deleteCanary: canaries.delete,
    listCanaries: canaries.list,
    recordEvent: events.record,
  };
}
