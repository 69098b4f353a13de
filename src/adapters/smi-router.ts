// TrafficRouter over SMI TrafficSplit (split.smi-spec.io). v1alpha2 (integer weights) is the
// default; v1alpha1 writes weights as quantities; v1alpha3/v1alpha4 as v1alpha2. A split
// without Fledge's managed-by label is foreign: read reports it, write refuses it, remove
// leaves it alone.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { FledgeError } from '../errors.ts';
import type { RouteRef, RouteState, TrafficRouter } from '../ports.ts';
import { createApiCaller } from './kube/errors.ts';
import type { ApiCaller } from './kube/errors.ts';
import { checkWeight, foreignSplit, isManaged, isWritten, rewritten, routeStateOf, splitFor, splitGroup as group, type TrafficSplit } from './smi-split.ts';

export const smiRouterKinds = ['smi-v1alpha1', 'smi-v1alpha2', 'smi-v1alpha3', 'smi-v1alpha4'] as const;
export type SmiRouterKind = (typeof smiRouterKinds)[number];

export { managedByLabel, managedByValue, readWeights } from './smi-split.ts';

export interface RouterOptions {
  /** Sees every mapped API error (for fledge_api_errors_total). */
  readonly onApiError?: (error: FledgeError) => void;
}

const plural = 'trafficsplits';

class SmiRouter implements TrafficRouter {
  readonly #api: CustomObjectsApi;
  readonly #caller: ApiCaller;
  readonly #version: string;

  constructor(kc: KubeConfig, version: string, options: RouterOptions) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#caller = createApiCaller(options.onApiError);
    this.#version = version;
  }

  async read(ref: RouteRef): Promise<RouteState> {
    return routeStateOf(await this.#get(ref), ref);
  }

  /** Idempotent. Throws FLEDGE_ROUTE_FOREIGN for a split Fledge does not manage, RangeError for a bad weight. */
  async write(ref: RouteRef, canaryWeight: number): Promise<void> {
    checkWeight(canaryWeight);
    const existing = await this.#get(ref);
    const desired = splitFor(ref, canaryWeight, this.#version);
    if (existing === null) {
      await this.#create(desired);
      return;
    }
    if (!isManaged(existing, ref)) throw foreignSplit(existing, ref);
    if (isWritten(existing, ref, canaryWeight)) return;
    await this.#replace(rewritten(existing, desired));
  }

  /** Deletes the split when it is Fledge's; a missing or foreign split is left as it is. */
  async remove(ref: RouteRef): Promise<void> {
    const existing = await this.#get(ref);
    if (existing === null || !isManaged(existing, ref)) return;
    const { namespace, name } = ref;
    await this.#caller.remove(`delete trafficsplit ${namespace}/${name}`, () =>
      this.#api.deleteNamespacedCustomObject({ group, version: this.#version, plural, namespace, name }));
  }

  async #get(ref: RouteRef): Promise<TrafficSplit | null> {
    const { namespace, name } = ref;
    return this.#caller.read(`get trafficsplit ${namespace}/${name}`, async () =>
      (await this.#api.getNamespacedCustomObject({ group, version: this.#version, plural, namespace, name })) as TrafficSplit);
  }

  async #create(split: TrafficSplit): Promise<void> {
    const namespace = split.metadata.namespace ?? 'default';
    const name = split.metadata.name ?? '';
    await this.#caller.call(`create trafficsplit ${namespace}/${name}`, () =>
      this.#api.createNamespacedCustomObject({ group, version: this.#version, plural, namespace, body: split }));
  }

  /** Conditional on the resourceVersion read (409 → FLEDGE_API_CONFLICT). */
  async #replace(split: TrafficSplit): Promise<void> {
    const namespace = split.metadata.namespace ?? 'default';
    const name = split.metadata.name ?? '';
    await this.#caller.call(`update trafficsplit ${namespace}/${name}`, () =>
      this.#api.replaceNamespacedCustomObject({ group, version: this.#version, plural, namespace, name, body: split }));
  }
}

/** The SMI router for `kind`; an unknown kind is FLEDGE_CONFIG_INVALID (no silent fallback; see router-factory.ts for all kinds). */
export function createSmiRouter(kind: SmiRouterKind, kc: KubeConfig, options: RouterOptions = {}): TrafficRouter {
  if (!(smiRouterKinds as readonly string[]).includes(kind)) {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', `unknown router "${String(kind)}": allowed are ${smiRouterKinds.join(', ')}`);
  }
  return new SmiRouter(kc, kind.slice('smi-'.length), options);
}
