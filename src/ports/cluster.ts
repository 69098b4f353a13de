// The cluster as a port: the Kubernetes objects reconcile reads and writes. The types of
// @kubernetes/client-node (V1Deployment, …) are its vocabulary; src/adapters/kube/cluster.ts
// implements it over the API, src/adapters/memory/cluster.ts in memory for tests.
import type { V1ConfigMap, V1Deployment, V1ObjectMeta, V1Secret, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { CanaryObject } from './canary-object.ts';
import type { TemplateObject, TemplateRef } from './template-schema.ts';

/** A JSON merge patch (RFC 7386): null deletes a key. */
export type MergePatch = Readonly<Record<string, unknown>>;

/** The object an Event is about (a Canary; any object with a uid works). */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: V1ObjectMeta;
}

export interface EventRecord {
  readonly canary: InvolvedObject;
  readonly severity: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** When it happened (ms since the epoch): the Event's time even when it is sent later. Default: when it is sent. */
  readonly at?: number | undefined;
}

/**
 * What every implementation promises, as a real API server does: reads of missing objects are
 * null; writes fail with FledgeError — a stale resourceVersion or a create of an existing name
 * → FLEDGE_API_CONFLICT (HTTP 409), throttling/5xx/unreachable → FLEDGE_API_UNAVAILABLE
 * (retryable), anything else refused (invalid name, missing object) → FLEDGE_API_REJECTED.
 * Every written object comes back with a new metadata.resourceVersion; generation moves on
 * spec changes only.
 */
export interface ClusterObjects {
  getDeployment(namespace: string, name: string): Promise<V1Deployment | null>;
  createDeployment(deployment: V1Deployment): Promise<V1Deployment>;
  /** Conditional on metadata.resourceVersion when set (stale → FLEDGE_API_CONFLICT). */
  replaceDeployment(deployment: V1Deployment): Promise<V1Deployment>;
  patchDeployment(namespace: string, name: string, patch: MergePatch): Promise<V1Deployment>;
  /** Sets spec.replicas through the /scale subresource; resolves to the Deployment's resourceVersion after the change (null when the answer had none). */
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<string | null>;

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

  /** autoscaling/v2 HorizontalPodAutoscalers in one namespace (the app's is found by its scaleTargetRef). */
  listHpas(namespace: string): Promise<V2HorizontalPodAutoscaler[]>;
  getHpa(namespace: string, name: string): Promise<V2HorizontalPodAutoscaler | null>;
  createHpa(hpa: V2HorizontalPodAutoscaler): Promise<V2HorizontalPodAutoscaler>;
  /** Conditional on metadata.resourceVersion when set (stale → FLEDGE_API_CONFLICT). */
  replaceHpa(hpa: V2HorizontalPodAutoscaler): Promise<V2HorizontalPodAutoscaler>;
  /** Idempotent: a missing HPA is not an error. */
  deleteHpa(namespace: string, name: string): Promise<void>;

  getCanary(namespace: string, name: string): Promise<CanaryObject | null>;
  createCanary(canary: CanaryObject): Promise<CanaryObject>;
  /**
   * Writes metadata and spec (the status in the body is ignored), conditional on
   * metadata.resourceVersion (stale → FLEDGE_API_CONFLICT); a changed spec moves metadata.generation.
   */
  updateCanary(canary: CanaryObject): Promise<CanaryObject>;
  /** Writes status only, conditional on metadata.resourceVersion (stale → FLEDGE_API_CONFLICT). */
  updateCanaryStatus(canary: CanaryObject): Promise<CanaryObject>;
  /** Merge-patches annotations; a null value deletes the annotation. */
  patchCanaryAnnotations(namespace: string, name: string, annotations: Readonly<Record<string, string | null>>): Promise<CanaryObject>;
  /** Idempotent: a missing Canary is not an error. */
  deleteCanary(namespace: string, name: string): Promise<void>;
  /** Canaries in one namespace, or all when `namespace` is undefined. */
  listCanaries(namespace?: string): Promise<CanaryObject[]>;

  /** An AnalysisTemplate (namespace set) or ClusterAnalysisTemplate (namespace null); null when missing or its CRD is not installed. */
  getAnalysisTemplate(ref: TemplateRef): Promise<TemplateObject | null>;
  /** Writes a template's status only, conditional on metadata.resourceVersion (stale → FLEDGE_API_CONFLICT). */
  updateAnalysisTemplateStatus(template: TemplateObject): Promise<TemplateObject>;

  /** Creates a core/v1 Event about the Canary, or bumps the count of the same one. */
  recordEvent(event: EventRecord): Promise<void>;
}
