// TrafficRouter over SMI TrafficSplit (split.smi-spec.io). v1alpha2 (integer weights) is the
// default; v1alpha1 writes weights as quantities; v1alpha3/v1alpha4 as v1alpha2. A split
// without Fledge's managed-by label is foreign: read reports it, write refuses it, remove
// leaves it alone.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
import { FledgeError } from '../errors.ts';
import type { RouteRef, RouteState, TrafficRouter } from '../ports.ts';
import { createApiCaller } from './kube/errors.ts';
import type { ApiCaller } from './kube/errors.ts';
import { formatQuantity, parseQuantity } from './kube/quantity.ts';

export const routerKinds = ['smi-v1alpha1', 'smi-v1alpha2', 'smi-v1alpha3', 'smi-v1alpha4'] as const;
export type RouterKind = (typeof routerKinds)[number];

export const managedByLabel = 'app.kubernetes.io/managed-by';
export const managedByValue = 'fledge';

/**
 * Where the router reads splits from instead of the API: a watch cache that also holds this
 * process's own writes (see controller/cached-reads.ts), so a read after a write sees the write.
 */
export interface SplitReads {
  /** The split as known (null: none); undefined when the API must be asked. */
  known(namespace: string, name: string): KubernetesObject | null | undefined;
  /** What a write (or an API read) returned, null after a delete; undefined: ask the API next time. */
  wrote(namespace: string, name: string, object: KubernetesObject | null | undefined): void;
}

export interface RouterOptions {
  /** Sees every mapped API error (for fledge_api_errors_total). */
  readonly onApiError?: (error: FledgeError) => void;
  /** Reads from a cache instead of the API (only for splits stored at this router's version). */
  readonly reads?: SplitReads;
}

interface Backend {
  readonly service: string;
  readonly weight: number | string;
}

interface TrafficSplit {
  apiVersion: string;
  kind: 'TrafficSplit';
  metadata: V1ObjectMeta;
  spec: { service: string; backends: Backend[] };
}

const group = 'split.smi-spec.io';
const plural = 'trafficsplits';

/** Fledge's label and, when the ref names an owner, an owner reference to it (a copied label is not enough). */
function isManaged(split: TrafficSplit, ref: RouteRef): boolean {
  if (split.metadata.labels?.[managedByLabel] !== managedByValue) return false;
  const uid = ref.owner?.uid;
  return uid === undefined || uid === '' || (split.metadata.ownerReferences ?? []).some((owner) => owner.uid === uid);
}

/** Who a foreign split seems to belong to, for messages. */
function foreignOwner(split: TrafficSplit): string {
  const owner = split.metadata.ownerReferences?.[0];
  if (owner !== undefined) return `${owner.kind}/${owner.name}`;
  const label = split.metadata.labels?.[managedByLabel];
  return label !== undefined && label !== '' ? label : 'unknown';
}

/** A split edited by hand may have lost its backends (or its spec): that reads as no backends, and is rewritten. */
function backendsOf(split: TrafficSplit): readonly Backend[] {
  const backends = (split.spec as Partial<TrafficSplit['spec']> | undefined)?.backends;
  return Array.isArray(backends) ? backends.filter((b): b is Backend => typeof b === 'object' && b !== null) : [];
}

function weightOf(split: TrafficSplit, service: string): number {
  const backend = backendsOf(split).find((b) => b.service === service);
  return backend === undefined ? 0 : (parseQuantity(backend.weight) ?? 0);
}

/**
 * Weights are relative: report them as percentages summing to 100. A split whose weights
 * total 0 reads as 0/0, which differs from any written state, so the next write repairs it.
 */
export function readWeights(split: TrafficSplit, ref: RouteRef): { canaryWeight: number; primaryWeight: number } {
  const canary = Math.max(0, weightOf(split, ref.canaryService));
  const primary = Math.max(0, weightOf(split, ref.primaryService));
  const total = canary + primary;
  if (total <= 0) return { canaryWeight: 0, primaryWeight: 0 };
  const canaryWeight = Math.round((100 * canary) / total);
  return { canaryWeight, primaryWeight: 100 - canaryWeight };
}

/** The split names the apex, exactly the two backends, and weights summing to 100. */
function isExact(split: TrafficSplit, ref: RouteRef): boolean {
  const backends = backendsOf(split);
  const services = new Set(backends.map((b) => b.service));
  const both = backends.length === 2 && services.has(ref.canaryService) && services.has(ref.primaryService);
  return both && split.spec?.service === ref.name && weightOf(split, ref.canaryService) + weightOf(split, ref.primaryService) === 100;
}

function checkWeight(canaryWeight: number): void {
  if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
    throw new RangeError(`canary weight must be an integer in 0..100, got ${canaryWeight}`);
  }
}

class SmiRouter implements TrafficRouter {
  readonly #api: CustomObjectsApi;
  readonly #caller: ApiCaller;
  readonly #version: string;
  readonly #reads: SplitReads | undefined;

  constructor(kc: KubeConfig, version: string, options: RouterOptions) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#caller = createApiCaller(options.onApiError);
    this.#version = version;
    this.#reads = options.reads;
  }

  async read(ref: RouteRef): Promise<RouteState> {
    const split = await this.#get(ref);
    if (split === null) return { kind: 'missing' };
    if (!isManaged(split, ref)) return { kind: 'foreign', owner: foreignOwner(split) };
    return { kind: 'routed', ...readWeights(split, ref), exact: isExact(split, ref) };
  }

  /** Idempotent. Throws FLEDGE_ROUTE_FOREIGN for a split Fledge does not manage, RangeError for a bad weight. */
  async write(ref: RouteRef, canaryWeight: number): Promise<void> {
    checkWeight(canaryWeight);
    const existing = await this.#get(ref);
    if (existing === null) {
      await this.#create(this.#build(ref, canaryWeight));
      return;
    }
    if (!isManaged(existing, ref)) {
      throw new FledgeError('FLEDGE_ROUTE_FOREIGN',
        `TrafficSplit ${ref.namespace}/${ref.name} exists and is managed by ${foreignOwner(existing)}, not Fledge; remove it or rename the app`);
    }
    if (this.#isWritten(existing, ref, canaryWeight)) return;
    const desired = this.#build(ref, canaryWeight);
    const metadata = { ...existing.metadata, labels: { ...existing.metadata.labels, ...desired.metadata.labels } };
    await this.#replace({ ...existing, apiVersion: desired.apiVersion, metadata, spec: { ...existing.spec, ...desired.spec } });
  }

  /** Deletes the split when it is Fledge's; a missing or foreign split is left as it is. */
  async remove(ref: RouteRef): Promise<void> {
    const existing = await this.#get(ref);
    if (existing === null || !isManaged(existing, ref)) return;
    const { namespace, name } = ref;
    await this.#caller.remove(`delete trafficsplit ${namespace}/${name}`, () =>
      this.#api.deleteNamespacedCustomObject({ group, version: this.#version, plural, namespace, name }));
    this.#reads?.wrote(namespace, name, null);
  }

  #isWritten(split: TrafficSplit, ref: RouteRef, canaryWeight: number): boolean {
    return isExact(split, ref) && readWeights(split, ref).canaryWeight === canaryWeight;
  }

  #build(ref: RouteRef, canaryWeight: number): TrafficSplit {
    const weight = (value: number): number | string => (this.#version === 'v1alpha1' ? formatQuantity(value) : value);
    return {
      apiVersion: `${group}/${this.#version}`,
      kind: 'TrafficSplit',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        labels: { [managedByLabel]: managedByValue },
        ...(ref.owner === undefined ? {} : { ownerReferences: [{ ...ref.owner, controller: true }] }),
      },
      spec: {
        service: ref.name,
        backends: [
          { service: ref.primaryService, weight: weight(100 - canaryWeight) },
          { service: ref.canaryService, weight: weight(canaryWeight) },
        ],
      },
    };
  }

  async #get(ref: RouteRef): Promise<TrafficSplit | null> {
    const { namespace, name } = ref;
    const known = this.#reads?.known(namespace, name);
    if (known !== undefined) return known as TrafficSplit | null;
    const split = await this.#caller.read(`get trafficsplit ${namespace}/${name}`, async () =>
      (await this.#api.getNamespacedCustomObject({ group, version: this.#version, plural, namespace, name })) as TrafficSplit);
    this.#reads?.wrote(namespace, name, split);
    return split;
  }

  async #create(split: TrafficSplit): Promise<void> {
    const namespace = split.metadata.namespace ?? 'default';
    const name = split.metadata.name ?? '';
    const created: unknown = await this.#written(namespace, name, () => this.#caller.call(`create trafficsplit ${namespace}/${name}`, () =>
      this.#api.createNamespacedCustomObject({ group, version: this.#version, plural, namespace, body: split })));
    this.#reads?.wrote(namespace, name, created as TrafficSplit);
  }

  /** Conditional on the resourceVersion read (409 → FLEDGE_API_CONFLICT). */
  async #replace(split: TrafficSplit): Promise<void> {
    const namespace = split.metadata.namespace ?? 'default';
    const name = split.metadata.name ?? '';
    const replaced: unknown = await this.#written(namespace, name, () => this.#caller.call(`update trafficsplit ${namespace}/${name}`, () =>
      this.#api.replaceNamespacedCustomObject({ group, version: this.#version, plural, namespace, name, body: split })));
    this.#reads?.wrote(namespace, name, replaced as TrafficSplit);
  }

  /** A refused write (409: the cache was stale, or it exists already) makes the next read ask the API. */
  async #written<T>(namespace: string, name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      this.#reads?.wrote(namespace, name, undefined);
      throw error;
    }
  }
}

/** The router for `kind`; an unknown kind is FLEDGE_CONFIG_INVALID (no silent fallback). */
export function createRouter(kind: RouterKind, kc: KubeConfig, options: RouterOptions = {}): TrafficRouter {
  if (!(routerKinds as readonly string[]).includes(kind)) {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', `unknown router "${String(kind)}": allowed are ${routerKinds.join(', ')}`);
  }
  return new SmiRouter(kc, kind.slice('smi-'.length), options);
}
