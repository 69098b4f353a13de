// TrafficRouter over a Gateway API HTTPRoute (gateway.networking.k8s.io/v1), named like the app
// in its namespace: in the mesh (GAMMA) its parent is the apex Service, north–south a Gateway.
// Same contract as the SMI router: a route without Fledge's label and owner is foreign (read
// reports it, write refuses it, remove leaves it alone); writes are idempotent and conditional
// on the resourceVersion read. `read` also says whether an implementation accepted the route.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FledgeError } from '../errors.ts';
import type { RouteRef, RouteState, TrafficRouter } from '../ports.ts';
import { createApiCaller, type ApiCaller } from './kube/errors.ts';
import { foreignRoute, gatewayGroup as group, isManaged, isWritten, rewritten, routeFor, routePlural as plural, routeStateOf, type HttpRoute } from './http-route.ts';
import { checkWeight } from './smi-split.ts';
import { gatewayToCheck, withMissingGateway } from './http-route-status.ts';

const version = 'v1';

class GatewayRouter implements TrafficRouter {
  readonly #api: CustomObjectsApi;
  readonly #caller: ApiCaller;

  constructor(kc: KubeConfig, onApiError?: (error: FledgeError) => void) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#caller = createApiCaller(onApiError);
  }

  async read(ref: RouteRef): Promise<RouteState> {
    const state = routeStateOf(await this.#get(ref), ref);
    const gateway = gatewayToCheck(state, ref);
    if (gateway === null || (await this.#gatewayExists(gateway))) return state;
    return withMissingGateway(state, ref, gateway);
  }

  /** False only when the API says the Gateway is not there; a refusal (a namespace-scoped install) or an outage tells nothing. */
  async #gatewayExists(gateway: { namespace: string; name: string }): Promise<boolean> {
    try {
      await this.#api.getNamespacedCustomObject({ group, version, plural: 'gateways', ...gateway });
      return true;
    } catch (error) {
      return (error as { code?: number }).code !== 404;
    }
  }

  /** Idempotent. Throws FLEDGE_ROUTE_FOREIGN for a route Fledge does not manage, RangeError for a bad weight. */
  async write(ref: RouteRef, canaryWeight: number): Promise<void> {
    checkWeight(canaryWeight);
    const existing = await this.#get(ref);
    const desired = routeFor(ref, canaryWeight, existing);
    const { namespace, name } = ref;
    if (existing === null) {
      await this.#caller.call(`create httproute ${namespace}/${name}`, () =>
        this.#api.createNamespacedCustomObject({ group, version, plural, namespace, body: desired }));
      return;
    }
    if (!isManaged(existing, ref)) throw foreignRoute(existing, ref);
    if (isWritten(existing, ref, canaryWeight)) return;
    await this.#caller.call(`update httproute ${namespace}/${name}`, () =>
      this.#api.replaceNamespacedCustomObject({ group, version, plural, namespace, name, body: rewritten(existing, desired) }));
  }

  /** Deletes the route when it is Fledge's; a missing or foreign route is left as it is. */
  async remove(ref: RouteRef): Promise<void> {
    const existing = await this.#get(ref);
    if (existing === null || !isManaged(existing, ref)) return;
    const { namespace, name } = ref;
    await this.#caller.remove(`delete httproute ${namespace}/${name}`, () =>
      this.#api.deleteNamespacedCustomObject({ group, version, plural, namespace, name }));
  }

  async #get(ref: RouteRef): Promise<HttpRoute | null> {
    const { namespace, name } = ref;
    return this.#caller.read(`get httproute ${namespace}/${name}`, async () =>
      (await this.#api.getNamespacedCustomObject({ group, version, plural, namespace, name })) as HttpRoute);
  }
}

/** The gateway-api router over the API. */
export function createGatewayRouter(kc: KubeConfig, onApiError?: (error: FledgeError) => void): TrafficRouter {
  return new GatewayRouter(kc, onApiError);
}
