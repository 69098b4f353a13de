// ClusterObjects (the port, src/ports/cluster.ts) over a real or emulated API server. Every method maps API failures with mapApiError (409 → FLEDGE_API_CONFLICT, 429/5xx/network →
// FLEDGE_API_UNAVAILABLE, other 4xx → FLEDGE_API_REJECTED); reads of missing objects are null.
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap, V1ObjectMeta, V1Secret } from '@kubernetes/client-node';
import type { Clock, ClusterObjects } from '../../ports.ts';
import type { FledgeError } from '../../errors.ts';
import { createCanaryApi } from './canary-resource.ts';
import { templateObjects } from './template-resource.ts';
import { createApiCaller } from './errors.ts';
import type { ApiCaller } from './errors.ts';
import { createEventRecorder } from './events.ts';
import { jsonRequests, mergePatchType, resourcePath } from './json-requests.ts';

export type { ClusterObjects, MergePatch } from '../../ports.ts';

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
  // A release scales its canary up and down: sent without client-node's API machinery (json-requests.ts).
  const requests = jsonRequests(kc);
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
      const path = resourcePath({ group: 'apps', version: 'v1', plural: 'deployments', namespace, name, subresource: 'scale' });
      const scale = await caller.call(`scale deployment ${namespace}/${name} to ${replicas}`, () =>
        requests.send('PATCH', path, body, mergePatchType)) as { metadata?: { resourceVersion?: string } } | undefined;
      return scale?.metadata?.resourceVersion ?? null;
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

function hpaObjects(kc: KubeConfig, caller: ApiCaller): Pick<ClusterObjects, 'listHpas' | 'getHpa' | 'createHpa' | 'replaceHpa' | 'deleteHpa'> {
  const api = kc.makeApiClient(AutoscalingV2Api);
  return {
    listHpas: async (namespace) =>
      (await caller.call(`list horizontalpodautoscalers in ${namespace}`, () => api.listNamespacedHorizontalPodAutoscaler({ namespace }))).items,
    getHpa: (namespace, name) =>
      caller.read(`get horizontalpodautoscaler ${namespace}/${name}`, () => api.readNamespacedHorizontalPodAutoscaler({ namespace, name })),
    createHpa: (body) => {
      const { namespace, name } = where(body.metadata);
      return caller.call(`create horizontalpodautoscaler ${namespace}/${name}`, () => api.createNamespacedHorizontalPodAutoscaler({ namespace, body }));
    },
    replaceHpa: (body) => {
      const { namespace, name } = where(body.metadata);
      return caller.call(`replace horizontalpodautoscaler ${namespace}/${name}`, () => api.replaceNamespacedHorizontalPodAutoscaler({ namespace, name, body }));
    },
    deleteHpa: (namespace, name) =>
      caller.remove(`delete horizontalpodautoscaler ${namespace}/${name}`, () => api.deleteNamespacedHorizontalPodAutoscaler({ namespace, name })),
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
    ...hpaObjects(kc, caller),
    getCanary: canaries.get,
    createCanary: canaries.create,
    updateCanary: canaries.update,
    updateCanaryStatus: canaries.updateStatus,
    patchCanaryAnnotations: canaries.patchAnnotations,
    deleteCanary: canaries.delete,
    listCanaries: canaries.list,
    ...templateObjects(kc, caller),
    recordEvent: events.record,
  };
}
