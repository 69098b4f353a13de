// TrafficRouter over SMI TrafficSplit (split.smi-spec.io). v1alpha2 (integer weights) is the
// default; v1alpha1 writes weights as quantities; v1alpha3/v1alpha4 as v1alpha2. A split
// without Fledge's managed-by label is foreign: read reports it, write refuses it, remove
// leaves it alone.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { FledgeError } from '../errors.ts';
import type { RouteReads, RouteRef, RouteState, TrafficRouter } from '../ports.ts';
import { createApiCaller } from './kube/errors.ts';
import type { ApiCaller } from './kube/errors.ts';
import { jsonRequests, resourcePath, type JsonRequests } from './kube/json-requests.ts';
import { checkWeight, foreignSplit, isManaged, isWritten, rewritten, routeStateOf, splitFor, splitGroup as group, type TrafficSplit } from './smi-split.ts';

export const smiRouterKinds = ['smi-v1alpha1', 'smi-v1alpha2', 'smi-v1alpha3', 'smi-v1alpha4'] as const;
export type SmiRouterKind = (typeof smiRouterKinds)[number];

export { managedByLabel, managedByValue, readWeights } from './smi-split.ts';

export interface RouterOptions {
  /** Sees every mapped API error (for fledge_api_errors_total). */
  readonly onApiError?: (error: FledgeError) => void;
  /** Reads splits from a cache instead of the API (only for splits stored at this router's version). */
  readonly reads?: RouteReads;
}

const plural = 'trafficsplits';

class SmiRouter implements TrafficRouter {
  readonly #api: CustomObjectsApi;
  /** Every step writes the split: sent without client-node's API machinery (json-requests.ts). */
  readonly #requests: JsonRequests;
  readonly #caller: ApiCaller;
  readonly #version: string;
  readonly #reads: RouteReads | undefined;

  constructor(kc: KubeConfig, version: string, options: RouterOptions) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#requests = jsonRequests(kc);
    this.#caller = createApiCaller(options.onApiError);
    this.#version = version;
    this.#reads = options.reads;
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
    const done = this.#reads?.writing?.(namespace, name);
    try {
      await this.#caller.remove(`delete trafficsplit ${namespace}/${name}`, () =>
        this.#api.deleteNamespacedCustomObject({ group, version: this.#version, plural, namespace, name }));
    } finally {
      done?.();
    }
    this.#reads?.wrote(namespace, name, null);
    this.#reads?.wroteToApi?.(namespace, name, null);
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
    await this.#written(namespace, name, () => this.#caller.call(`create trafficsplit ${namespace}/${name}`, () =>
      this.#requests.send('POST', this.#path(namespace), split)));
  }

  /** Conditional on the resourceVersion read (409 → FLEDGE_API_CONFLICT). */
  async #replace(split: TrafficSplit): Promise<void> {
    const namespace = split.metadata.namespace ?? 'default';
    const name = split.metadata.name ?? '';
    await this.#written(namespace, name, () => this.#caller.call(`update trafficsplit ${namespace}/${name}`, () =>
      this.#requests.send('PUT', this.#path(namespace, name), split)));
  }

  #path(namespace: string, name?: string): string {
    return resourcePath({ group, version: this.#version, plural, namespace, name });
  }

  /** Keeps what a write returned for the next read; any failed write makes the next read ask the API. */
  async #written(namespace: string, name: string, write: () => Promise<unknown>): Promise<void> {
    const done = this.#reads?.writing?.(namespace, name);
    try {
      const written = await write();
      this.#reads?.wroteToApi?.(namespace, name, written);
      this.#reads?.wrote(namespace, name, written);
    } catch (error) {
      this.#reads?.wrote(namespace, name, undefined);
      throw error;
    } finally {
      done?.();
    }
  }
}

/** The SMI router for `kind`; an unknown kind is FLEDGE_CONFIG_INVALID (no silent fallback; see router-factory.ts for all kinds). */
export function createSmiRouter(kind: SmiRouterKind, kc: KubeConfig, options: RouterOptions = {}): TrafficRouter {
  if (!(smiRouterKinds as readonly string[]).includes(kind)) {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', `unknown router "${String(kind)}": allowed are ${smiRouterKinds.join(', ')}`);
  }
  return new SmiRouter(kc, kind.slice('smi-'.length), options);
}
