// Only a replica that may act writes: every mutating call on the cluster and the router checks
// first, so a leader that lost its lease (or a controller that is stopping) cannot act, even
// from a reconcile that was already running.
import type { ClusterObjects, TrafficRouter } from '../ports.ts';
import { FledgeError } from '../errors.ts';

const readOnly = /^(get|list|read)/;

function refusal(method: string): FledgeError {
  return new FledgeError('FLEDGE_NOT_LEADER', `not leading any more: ${method} not sent`);
}

/** Wraps every method whose name does not start with get/list/read in a check of `mayAct`. */
function guard<T extends object>(target: T, mayAct: () => boolean): T {
  return new Proxy(target, {
    get(object, property, receiver): unknown {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      // Call on the target itself: class instances keep #private state the proxy cannot reach.
      if (typeof property !== 'string' || readOnly.test(property)) return (value as (...a: unknown[]) => unknown).bind(object);
      // Every write of the ports is async: a refusal is a rejected promise, like an API error.
      return (...args: unknown[]): Promise<unknown> => {
        if (!mayAct()) return Promise.reject(refusal(property));
        return Promise.resolve((value as (...a: unknown[]) => unknown).apply(object, args));
      };
    },
  });
}

export function guardCluster(cluster: ClusterObjects, mayAct: () => boolean): ClusterObjects {
  return guard(cluster, mayAct);
}

export function guardRouter(router: TrafficRouter, mayAct: () => boolean): TrafficRouter {
  return guard(router, mayAct);
}
