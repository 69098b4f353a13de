// TrafficRouter in memory with the SMI router's semantics (src/adapters/smi-router.ts): the
// TrafficSplit is an object of the in-memory cluster (resourceVersion, conditional replace,
// faults, write log), Fledge's only when it has the managed-by label and, when the ref names an
// owner, an owner reference to it; a foreign split is reported, never written or removed.
import { FledgeError } from '../../errors.ts';
import type { RouterKind } from '../../config/knobs.ts';
import { routerKinds } from '../../config/knobs.ts';
import type { RouteRef, RouteState, TrafficRouter } from '../../ports.ts';
import type { KubeObject } from '../../sandbox/emulator/types.ts';
import { KubeApiError } from '../kube/errors.ts';
import { formatQuantity, parseQuantity } from '../kube/quantity.ts';
import { managedByLabel, managedByValue } from '../smi-router.ts';
import type { ApiCall, ApiLog, ApiVerb } from './faults.ts';
import type { MemoryStore } from './store.ts';

/** The objects a router works on and the log its calls go through. */
export interface RouterBackend {
  readonly store: MemoryStore;
  readonly log: ApiLog;
}

interface Backend {
  readonly service: string;
  readonly weight: number | string;
}

function backendsOf(split: KubeObject): readonly Backend[] {
  const backends = (split['spec'] as { backends?: unknown } | undefined)?.backends;
  return Array.isArray(backends) ? backends.filter((b): b is Backend => typeof b === 'object' && b !== null) : [];
}

function weightOf(split: KubeObject, service: string): number {
  const backend = backendsOf(split).find((b) => b.service === service);
  return backend === undefined ? 0 : (parseQuantity(backend.weight) ?? 0);
}

function isManaged(split: KubeObject, ref: RouteRef): boolean {
  if (split.metadata.labels?.[managedByLabel] !== managedByValue) return false;
  const uid = ref.owner?.uid;
  return uid === undefined || uid === '' || (split.metadata.ownerReferences ?? []).some((owner) => owner.uid === uid);
}

function foreignOwner(split: KubeObject): string {
  const owner = split.metadata.ownerReferences?.[0];
  if (owner !== undefined) return `${owner.kind}/${owner.name}`;
  const label = split.metadata.labels?.[managedByLabel];
  return label !== undefined && label !== '' ? label : 'unknown';
}

function routed(split: KubeObject, ref: RouteRef): RouteState {
  const services = new Set(backendsOf(split).map((b) => b.service));
  const both = backendsOf(split).length === 2 && services.has(ref.canaryService) && services.has(ref.primaryService);
  const apex = (split['spec'] as { service?: unknown } | undefined)?.service === ref.name;
  const exact = both && apex && weightOf(split, ref.canaryService) + weightOf(split, ref.primaryService) === 100;
  const canary = Math.max(0, weightOf(split, ref.canaryService));
  const primary = Math.max(0, weightOf(split, ref.primaryService));
  if (canary + primary <= 0) return { kind: 'routed', canaryWeight: 0, primaryWeight: 0, exact };
  const canaryWeight = Math.round((100 * canary) / (canary + primary));
  return { kind: 'routed', canaryWeight, primaryWeight: 100 - canaryWeight, exact };
}

class MemoryRouter implements TrafficRouter {
  readonly #store: MemoryStore;
  readonly #log: ApiLog;

  constructor(backend: RouterBackend, private readonly version: string) {
    this.#store = backend.store;
    this.#log = backend.log;
  }

  read(ref: RouteRef): Promise<RouteState> {
    return this.#attempt(() => {
      const split = this.#get(ref);
      if (split === null) return { kind: 'missing' };
      return isManaged(split, ref) ? routed(split, ref) : { kind: 'foreign', owner: foreignOwner(split) };
    });
  }

  write(ref: RouteRef, canaryWeight: number): Promise<void> {
    if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
      return Promise.reject(new RangeError(`canary weight must be an integer in 0..100, got ${canaryWeight}`));
    }
    return this.#attempt(() => {
      const existing = this.#get(ref);
      const desired = this.#build(ref, canaryWeight);
      const where = { namespace: ref.namespace, name: ref.name };
      if (existing === null) {
        this.#store.create('trafficsplits', this.#call('create', where), desired);
        return;
      }
      if (!isManaged(existing, ref)) {
        throw new FledgeError('FLEDGE_ROUTE_FOREIGN',
          `TrafficSplit ${ref.namespace}/${ref.name} exists and is managed by ${foreignOwner(existing)}, not Fledge; remove it or rename the app`);
      }
      const state = routed(existing, ref);
      if (state.kind === 'routed' && state.exact && state.canaryWeight === canaryWeight) return;
      const metadata = { ...existing.metadata, labels: { ...existing.metadata.labels, ...desired.metadata.labels } };
      const next: KubeObject = { ...existing, apiVersion: `split.smi-spec.io/${this.version}`, metadata, spec: { ...(existing['spec'] as object), ...(desired['spec'] as object) } };
      this.#store.update('trafficsplits', this.#call('update', where), next);
    });
  }

  remove(ref: RouteRef): Promise<void> {
    return this.#attempt(() => {
      const existing = this.#get(ref);
      if (existing === null || !isManaged(existing, ref)) return;
      this.#call('delete', { namespace: ref.namespace, name: ref.name });
      this.#store.delete('trafficsplits', ref.namespace, ref.name);
    });
  }

  /** Null when missing (also when a 404 is injected), as the SMI router reads. */
  #get(ref: RouteRef): KubeObject | null {
    try {
      this.#call('get', { namespace: ref.namespace, name: ref.name });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return null;
      throw error;
    }
    return this.#store.peek('trafficsplits', ref.namespace, ref.name);
  }

  #call(verb: ApiVerb, where: { namespace: string; name: string }): ApiCall {
    const call = { verb, resource: 'trafficsplits', ...where };
    this.#log.enter(call);
    return call;
  }

  #build(ref: RouteRef, canaryWeight: number): KubeObject {
    const weight = (value: number): number | string => (this.version === 'v1alpha1' ? formatQuantity(value) : value);
    return {
      apiVersion: `split.smi-spec.io/${this.version}`,
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

  async #attempt<T>(body: () => T): Promise<T> {
    await Promise.resolve();
    return body();
  }
}

/** The router for `kind` over `store`; an unknown kind is FLEDGE_CONFIG_INVALID, as createRouter says. */
export function createMemoryRouter(kind: RouterKind, backend: RouterBackend): TrafficRouter {
  if (!(routerKinds as readonly string[]).includes(kind)) {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', `unknown router "${String(kind)}": allowed are ${routerKinds.join(', ')}`);
  }
  return new MemoryRouter(backend, kind.slice('smi-'.length));
}
