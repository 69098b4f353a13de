// Reading and writing Canary objects (fledge.dev/v1alpha1) and the user-request annotation.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1ObjectMeta } from '@kubernetes/client-node';
import { z } from 'zod';
import type { UserRequest } from '../../core/state.ts';
import { canaryApiVersion, canaryGroup, canaryKind, canaryPlural, canarySpecSchema, canaryVersion } from './canary-schema.ts';
import type { CanarySpec, CanaryStatus } from './canary-schema.ts';
import { parseStatus } from './canary-status.ts';
import type { ApiCaller } from './errors.ts';

export { canaryApiVersion, canaryKind } from './canary-schema.ts';
export type { CanarySpec, CanaryStatus, Condition, OutboxEntry } from './canary-schema.ts';
export { fromStatus, parseStatus, setCondition, toStatus } from './canary-status.ts';
export type { StatusExtra } from './canary-status.ts';

/**
 * A Canary as Fledge handles it. `status` is undefined when the object has none yet or when
 * it does not parse (hand-edited); `statusInvalid` then tells the two apart.
 */
export interface CanaryObject {
  readonly apiVersion: typeof canaryApiVersion;
  readonly kind: typeof canaryKind;
  readonly metadata: V1ObjectMeta;
  readonly spec: CanarySpec;
  readonly status?: CanaryStatus;
  readonly statusInvalid?: boolean;
}

/** The annotation `fledge promote` & co. write: `{"id":"<uuid>","verb":"promote"}`. */
export const requestAnnotation = 'fledge.dev/request';

const requestSchema = z.object({
  id: z.string().min(1),
  verb: z.enum(['promote', 'abort', 'retry', 'pause', 'resume']),
});

export type RequestReading =
  | { readonly kind: 'none' }
  | { readonly kind: 'request'; readonly request: UserRequest }
  | { readonly kind: 'invalid'; readonly raw: string; readonly message: string };

/** Reads the request annotation, telling "none" from "unreadable" (worth an Event). */
export function parseRequest(canary: { readonly metadata?: V1ObjectMeta }): RequestReading {
  const raw = canary.metadata?.annotations?.[requestAnnotation];
  if (raw === undefined || raw === '') return { kind: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', raw, message: `${requestAnnotation} is not JSON` };
  }
  const result = requestSchema.safeParse(json);
  if (!result.success) return { kind: 'invalid', raw, message: `${requestAnnotation}: ${z.prettifyError(result.error)}` };
  return { kind: 'request', request: result.data };
}

/** The pending user request, or null (absent or invalid: the caller emits the Event). */
export function readRequest(canary: { readonly metadata?: V1ObjectMeta }): UserRequest | null {
  const reading = parseRequest(canary);
  return reading.kind === 'request' ? reading.request : null;
}

/** Validates an object read from the API as a Canary. */
export function parseCanary(raw: unknown): CanaryObject {
  const object = (raw ?? {}) as { metadata?: V1ObjectMeta; spec?: unknown; status?: unknown };
  const spec = canarySpecSchema.safeParse(object.spec ?? {});
  const status = object.status === undefined ? undefined : parseStatus(object.status);
  const base = {
    apiVersion: canaryApiVersion,
    kind: canaryKind,
    metadata: object.metadata ?? {},
    spec: spec.success ? spec.data : {},
  } as const;
  if (status === undefined) return base;
  return status === null ? { ...base, statusInvalid: true } : { ...base, status };
}

/** A Canary ready to send: drops the local-only `statusInvalid` flag. */
function toBody(canary: CanaryObject): Record<string, unknown> {
  const { statusInvalid: _ignored, ...body } = canary;
  return body;
}

export interface CanaryApi {
  readonly get: (namespace: string, name: string) => Promise<CanaryObject | null>;
  readonly create: (canary: CanaryObject) => Promise<CanaryObject>;
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
    updateStatus: async (canary) => {
      const { namespace, name } = objectRef(canary);
      const raw: unknown = await caller.call(`update status of canary ${namespace}/${name}`, () =>
        api.replaceNamespacedCustomObjectStatus({ ...gvp, namespace, name, body: toBody(canary) }));
      return parseCanary(raw);
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
