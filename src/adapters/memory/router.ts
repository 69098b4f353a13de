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
import { checkWeight, foreignSplit, isManaged, isWritten, rewritten, routeStateOf, splitFor, type TrafficSplit } from '../smi-split.ts';
import type { ApiCall, ApiLog, ApiVerb } from './faults.ts';
import type { MemoryStore } from './store.ts';

/** The objects a router works on and the log its calls go through. */
export interface RouterBackend {
  readonly store: MemoryStore;
  readonly log: ApiLog;
}

/** The stored object as the SMI rules read it. */
function asSplit(object: KubeObject | null): TrafficSplit | null {
  return object as unknown as TrafficSplit | null;
}

class MemoryRouter implements TrafficRouter {
  readonly #store: MemoryStore;
  readonly #log: ApiLog;

  constructor(backend: RouterBackend, private readonly version: string) {
    this.#store = backend.store;
    this.#log = backend.log;
  }

  read(ref: RouteRef): Promise<RouteState> {
    return this.#attempt(() => routeStateOf(this.#get(ref), ref));
  }

  write(ref: RouteRef, canaryWeight: number): Promise<void> {
    return this.#attempt(() => {
      checkWeight(canaryWeight);
      const existing = this.#get(ref);
      const desired = splitFor(ref, canaryWeight, this.version);
      const where = { namespace: ref.namespace, name: ref.name };
      if (existing === null) {
        this.#store.create('trafficsplits', this.#call('create', where), desired as unknown as KubeObject);
        return;
      }
      if (!isManaged(existing, ref)) throw foreignSplit(existing, ref);
      if (isWritten(existing, ref, canaryWeight)) return;
      this.#store.update('trafficsplits', this.#call('update', where), rewritten(existing, desired) as unknown as KubeObject);
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
  #get(ref: RouteRef): TrafficSplit | null {
    try {
      this.#call('get', { namespace: ref.namespace, name: ref.name });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return null;
      throw error;
    }
    return asSplit(this.#store.peek('trafficsplits', ref.namespace, ref.name));
  }

  #call(verb: ApiVerb, where: { namespace: string; name: string }): ApiCall {
    const call = { verb, resource: 'trafficsplits', ...where };
    this.#log.enter(call);
    return call;
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
