// TrafficRouter in memory with the API routers' semantics (src/adapters/smi-router.ts,
// gateway-router.ts): the TrafficSplit or HTTPRoute is an object of the in-memory cluster
// (resourceVersion, conditional replace, faults, write log), Fledge's only when it has the
// managed-by label and, when the ref names an owner, an owner reference to it; a foreign one is
// reported, never written or removed.
import { FledgeError } from '../../errors.ts';
import type { RouterKind } from '../../config/knobs.ts';
import { routerKinds } from '../../config/knobs.ts';
import type { RouteRef, RouteState, TrafficRouter } from '../../ports.ts';
import type { KubeObject } from '../../sandbox/emulator/types.ts';
import { KubeApiError } from '../kube/errors.ts';
import * as route from '../http-route.ts';
import { gatewayToCheck, withMissingGateway } from '../http-route-status.ts';
import * as split from '../smi-split.ts';
import type { ApiCall, ApiLog, ApiVerb } from './faults.ts';
import type { MemoryStore } from './store.ts';

/** The objects a router works on and the log its calls go through. */
export interface RouterBackend {
  readonly store: MemoryStore;
  readonly log: ApiLog;
}

/** What one kind of route object means: the pure rules the API router of that kind uses. */
interface Rules {
  readonly plural: 'trafficsplits' | 'httproutes';
  stateOf(object: KubeObject | null, ref: RouteRef): RouteState;
  desired(ref: RouteRef, canaryWeight: number, existing: KubeObject | null): KubeObject;
  isManaged(object: KubeObject, ref: RouteRef): boolean;
  foreign(object: KubeObject, ref: RouteRef): FledgeError;
  isWritten(object: KubeObject, ref: RouteRef, canaryWeight: number): boolean;
  rewritten(existing: KubeObject, desired: KubeObject): KubeObject;
}

const asSplit = (object: KubeObject): split.TrafficSplit => object as unknown as split.TrafficSplit;
const asRoute = (object: KubeObject): route.HttpRoute => object as unknown as route.HttpRoute;
const asObject = (object: unknown): KubeObject => object as KubeObject;

function smiRules(version: string): Rules {
  return {
    plural: 'trafficsplits',
    stateOf: (object, ref) => split.routeStateOf(object === null ? null : asSplit(object), ref),
    desired: (ref, weight) => asObject(split.splitFor(ref, weight, version)),
    isManaged: (object, ref) => split.isManaged(asSplit(object), ref),
    foreign: (object, ref) => split.foreignSplit(asSplit(object), ref),
    isWritten: (object, ref, weight) => split.isWritten(asSplit(object), ref, weight),
    rewritten: (existing, desired) => asObject(split.rewritten(asSplit(existing), asSplit(desired))),
  };
}

const gatewayRules: Rules = {
  plural: 'httproutes',
  stateOf: (object, ref) => route.routeStateOf(object === null ? null : asRoute(object), ref),
  desired: (ref, weight, existing) => asObject(route.routeFor(ref, weight, existing === null ? null : asRoute(existing))),
  isManaged: (object, ref) => route.isManaged(asRoute(object), ref),
  foreign: (object, ref) => route.foreignRoute(asRoute(object), ref),
  isWritten: (object, ref, weight) => route.isWritten(asRoute(object), ref, weight),
  rewritten: (existing, desired) => asObject(route.rewritten(asRoute(existing), asRoute(desired))),
};

class MemoryRouter implements TrafficRouter {
  readonly #store: MemoryStore;
  readonly #log: ApiLog;

  constructor(backend: RouterBackend, private readonly rules: Rules) {
    this.#store = backend.store;
    this.#log = backend.log;
  }

  read(ref: RouteRef): Promise<RouteState> {
    return this.#attempt(() => {
      const state = this.rules.stateOf(this.#get(ref), ref);
      const gateway = this.rules.plural === 'httproutes' ? gatewayToCheck(state, ref) : null;
      if (gateway === null) return state;
      return this.#gatewayExists(gateway) ? state : withMissingGateway(state, ref, gateway);
    });
  }

  write(ref: RouteRef, canaryWeight: number): Promise<void> {
    return this.#attempt(() => {
      split.checkWeight(canaryWeight);
      const { rules } = this;
      const existing = this.#get(ref);
      const desired = rules.desired(ref, canaryWeight, existing);
      const where = { namespace: ref.namespace, name: ref.name };
      if (existing === null) {
        this.#store.create(rules.plural, this.#call('create', where), desired);
        return;
      }
      if (!rules.isManaged(existing, ref)) throw rules.foreign(existing, ref);
      if (rules.isWritten(existing, ref, canaryWeight)) return;
      this.#store.update(rules.plural, this.#call('update', where), rules.rewritten(existing, desired));
    });
  }

  remove(ref: RouteRef): Promise<void> {
    return this.#attempt(() => {
      const existing = this.#get(ref);
      if (existing === null || !this.rules.isManaged(existing, ref)) return;
      this.#call('delete', { namespace: ref.namespace, name: ref.name });
      this.#store.delete(this.rules.plural, ref.namespace, ref.name);
    });
  }

  /** As the API router: false only for a 404 (stored or injected); any other failure tells nothing. */
  #gatewayExists(gateway: { namespace: string; name: string }): boolean {
    try {
      this.#log.enter({ verb: 'get', resource: 'gateways', ...gateway });
    } catch (error) {
      return !(error instanceof KubeApiError && error.status === 404);
    }
    return this.#store.peek('gateways', gateway.namespace, gateway.name) !== null;
  }

  /** Null when missing (also when a 404 is injected), as the API routers read. */
  #get(ref: RouteRef): KubeObject | null {
    try {
      this.#call('get', { namespace: ref.namespace, name: ref.name });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return null;
      throw error;
    }
    return this.#store.peek(this.rules.plural, ref.namespace, ref.name);
  }

  #call(verb: ApiVerb, where: { namespace: string; name: string }): ApiCall {
    const call = { verb, resource: this.rules.plural, ...where };
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
  return new MemoryRouter(backend, kind === 'gateway-api' ? gatewayRules : smiRules(kind.slice('smi-'.length)));
}
