// Reading and writing Canary objects (fledge.dev/v1alpha1) over the API. The object's shape and
// the user-request annotation are port vocabulary (src/ports/canary-object.ts), re-exported here.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { canaryGroup, canaryPlural, canaryVersion } from '../../ports/canary-schema.ts';
import { parseCanary, writtenCanary, type CanaryObject } from '../../ports/canary-object.ts';
import type { ApiCaller } from './errors.ts';
import { jsonRequests, resourcePath } from './json-requests.ts';

export { canaryApiVersion, canaryKind } from '../../ports/canary-schema.ts';
export type { CanarySpec, CanaryStatus, Condition, OutboxEntry } from '../../ports/canary-schema.ts';
export { fromStatus, parseStatus, setCondition, toStatus } from '../../ports/canary-status.ts';
export type { StatusExtra } from '../../ports/canary-status.ts';
export { parseCanary, parseRequest, readRequest, requestAnnotation } from '../../ports/canary-object.ts';
export type { CanaryObject, RequestReading } from '../../ports/canary-object.ts';

/** A Canary ready to send: drops the local-only `statusInvalid` flag. */
function toBody(canary: CanaryObject): Record<string, unknown> {
  const { statusInvalid: _ignored, ...body } = canary;
  return body;
}

export interface CanaryApi {
  readonly get: (namespace: string, name: string) => Promise<CanaryObject | null>;
  readonly create: (canary: CanaryObject) => Promise<CanaryObject>;
  /** Writes metadata and spec (not status), conditional on metadata.resourceVersion (409 → FLEDGE_API_CONFLICT). */
  readonly update: (canary: CanaryObject) => Promise<CanaryObject>;
  /** Writes `status` only, conditional on metadata.resourceVersion (409 → FLEDGE_API_CONFLICT). */
  readonly updateStatus: (canary: CanaryObject) => Promise<CanaryObject>;
  /** Merge-patches annotations; a null value removes the annotation. */
  readonly patchAnnotations: (namespace: string, name: string, annotations: Readonly<Record<string, string | null>>) => Promise<CanaryObject>;
  /** Idempotent: a missing Canary is not an error. */
  readonly delete: (namespace: string, name: string) => Promise<void>;
  /** All Canaries in `namespace`, or in every namespace when undefined (paged). */
  readonly list: (namespace?: string) => Promise<CanaryObject[]>;
}

const pageSize = 500;

function objectRef(canary: CanaryObject): { namespace: string; name: string } {
  return { namespace: canary.metadata.namespace ?? 'default', name: canary.metadata.name ?? '' };
}

export function createCanaryApi(kc: KubeConfig, caller: ApiCaller): CanaryApi {
  const api = kc.makeApiClient(CustomObjectsApi);
  const gvp = { group: canaryGroup, version: canaryVersion, plural: canaryPlural };
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  // Status writes are the most frequent request: sent without client-node's API machinery (json-requests.ts).
  const requests = jsonRequests(kc);

  const listPage = async (namespace: string | undefined, token: string | undefined): Promise<{ items?: unknown[]; metadata?: { continue?: string } }> => {
    const page = { ...gvp, limit: pageSize, ...(token === undefined ? {} : { _continue: token }) };
    return caller.call(`list canaries in ${namespace ?? 'all namespaces'}`, () =>
      namespace === undefined ? api.listClusterCustomObject(page) : api.listNamespacedCustomObject({ ...page, namespace }),
    ) as Promise<{ items?: unknown[]; metadata?: { continue?: string } }>;
  };

  return {
    get: async (namespace, name) => {
      const raw: unknown = await caller.read(`get canary ${namespace}/${name}`, () => api.getNamespacedCustomObject({ ...gvp, namespace, name }));
      return raw === null ? null : parseCanary(raw);
    },
    create: async (canary) => {
      const { namespace, name } = objectRef(canary);
      const raw: unknown = await caller.call(`create canary ${namespace}/${name}`, () =>
        api.createNamespacedCustomObject({ ...gvp, namespace, body: toBody(canary) }));
      return parseCanary(raw);
    },
    update: async (canary) => {
      const { namespace, name } = objectRef(canary);
      const raw: unknown = await caller.call(`update canary ${namespace}/${name}`, () =>
        api.replaceNamespacedCustomObject({ ...gvp, namespace, name, body: toBody(canary) }));
      return parseCanary(raw);
    },
    updateStatus: async (canary) => {
      const { namespace, name } = objectRef(canary);
      const raw: unknown = await caller.call(`update status of canary ${namespace}/${name}`, () =>
        requests.send('PUT', resourcePath({ ...gvp, namespace, name, subresource: 'status' }), toBody(canary)));
      return writtenCanary(canary, raw);
    },
    patchAnnotations: async (namespace, name, annotations) => {
      const body = { metadata: { annotations } };
      const raw: unknown = await caller.call(`annotate canary ${namespace}/${name}`, () =>
        api.patchNamespacedCustomObject({ ...gvp, namespace, name, body }, mergePatch));
      return parseCanary(raw);
    },
    delete: async (namespace, name) => {
      await caller.remove(`delete canary ${namespace}/${name}`, () => api.deleteNamespacedCustomObject({ ...gvp, namespace, name }));
    },
    list: async (namespace) => {
      const items: CanaryObject[] = [];
      let token: string | undefined;
      do {
        const page = await listPage(namespace, token);
        items.push(...(page.items ?? []).map(parseCanary));
        token = page.metadata?.continue === '' ? undefined : page.metadata?.continue;
      } while (token !== undefined);
      return items;
    },
  };
}
