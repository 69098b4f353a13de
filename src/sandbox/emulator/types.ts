// The emulator's vocabulary: objects as the API serves them, resource types, requests, replies.

/** API verbs as the real server names them (RBAC/audit), used by routing and fault matching. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

/** Any API object: plain JSON with metadata. Stored objects always carry name, uid and resourceVersion. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** One column of a Table answer: a JSONPath (custom resources) or a computed cell (built-ins). */
export interface PrinterColumn {
  readonly name: string;
  readonly type: string; // string, integer, number, boolean, date
  readonly description?: string;
  readonly priority?: number;
  readonly jsonPath?: string;
  readonly cell?: (object: KubeObject, now: number) => unknown;
}

/** How `metadata.generation` moves: on spec changes, on any change but metadata/status, or not at all. */
export type GenerationRule = 'spec' | 'all-but-status' | 'all' | 'none';

/** Name validation the real server applies to the kind (`segment`: any path segment, as RBAC names). */
export type NameRule = 'subdomain' | 'label' | 'label1035' | 'segment';

/** A CRD version's openAPIV3Schema, compiled once when the CRD is written. */
export interface ObjectSchema {
  /** The object without the fields the schema does not describe; a new object, the argument is not changed. */
  prune(object: KubeObject): KubeObject;
  /**
   * 422 causes in the real server's wording, empty when valid. With `previous` (updates), failures
   * in values left unchanged are not reported (ratcheting).
   */
  validate(object: KubeObject, previous?: KubeObject): StatusCause[];
}

/** A served resource (one plural in one group); versions share one storage. */
export interface ResourceType {
  readonly group: string;
  /** Served versions, preferred first. */
  readonly versions: readonly string[];
  readonly storageVersion: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  readonly subresources: { readonly status: boolean; readonly scale: boolean };
  readonly generation: GenerationRule;
  readonly nameRule: NameRule;
  /** DELETE answers the object (pods, custom resources) rather than a Success Status. */
  readonly deleteReturnsObject: boolean;
  /** Table columns per version; Name is always first and not listed here. */
  readonly columns: (version: string) => readonly PrinterColumn[];
  /** Field selectors besides metadata.name and metadata.namespace, as dotted paths. */
  readonly fieldSelectors: readonly string[];
  /** Set for custom resources: the CRD's name. */
  readonly crd?: string;
  /** Custom resources: the schema of a served version; undefined when the version has none. */
  readonly schema?: (version: string) => ObjectSchema | undefined;
  /** The verbs served when not all are (reviews: only create); others answer 405. */
  readonly verbs?: readonly Verb[];
}

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The `Status` object the real server answers errors with. */
export interface StatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** An HTTP answer, not yet written. */
export interface Reply {
  readonly code: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Expected failures travel as values carrying the Status to answer with. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: StatusBody };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(status: StatusBody): Result<T> {
  return { ok: false, status };
}
