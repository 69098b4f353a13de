// A Canary object (fledge.dev/v1alpha1) as the controller handles it, and the user-request
// annotation `fledge promote` & co. write: port vocabulary, pure (zod only), no API calls.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { z } from 'zod';
import type { UserRequest } from '../core/state.ts';
import { canaryApiVersion, canaryKind, canarySpecSchema } from './canary-schema.ts';
import type { CanarySpec, CanaryStatus } from './canary-schema.ts';
import { parseStatus } from './canary-status.ts';
import { jsonEqual } from '../core/json-equal.ts';

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

/**
 * `canary` with `parts` in place, built as one object literal. Spread copies (`{ ...canary, status }`)
 * take a map of their own in V8 once the objects spread have maps of their own, and each copy of a
 * copy does too (about 240 bytes per object): thousands of Canaries are cached and held, each
 * rebuilt at every status write.
 */
export function canaryWith(canary: CanaryObject, parts: { readonly metadata?: V1ObjectMeta; readonly status?: CanaryStatus }): CanaryObject {
  return canaryOf(parts.metadata ?? canary.metadata, canary.spec, 'status' in parts ? parts.status : canary.status, canary.statusInvalid === true);
}

/** A Canary as one of four literals (with or without status and the statusInvalid flag): one map each. */
function canaryOf(metadata: V1ObjectMeta, spec: CanarySpec, status: CanaryStatus | undefined, statusInvalid: boolean): CanaryObject {
  const apiVersion = canaryApiVersion;
  const kind = canaryKind;
  if (statusInvalid) return status === undefined ? { apiVersion, kind, metadata, spec, statusInvalid } : { apiVersion, kind, metadata, spec, status, statusInvalid };
  return status === undefined ? { apiVersion, kind, metadata, spec } : { apiVersion, kind, metadata, spec, status };
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

/**
 * A copy of plain data whose objects are built as literals. zod builds its output property by
 * property (deleting absent optional ones), which leaves V8 objects in dictionary mode: slower to
 * read and about twice the memory of a literal, for every cached Canary's spec and status.
 */
function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = compact(item);
  return { ...out } as T;
}

/** Validates an object read from the API as a Canary. */
export function parseCanary(raw: unknown): CanaryObject {
  const object = (raw ?? {}) as { metadata?: V1ObjectMeta; spec?: unknown; status?: unknown };
  const spec = canarySpecSchema.safeParse(object.spec ?? {});
  const parsed = object.status === undefined ? undefined : parseStatus(object.status);
  const status = parsed === undefined || parsed === null ? parsed : compact(parsed);
  return canaryOf(object.metadata ?? {}, spec.success ? compact(spec.data) : {}, status ?? undefined, status === null);
}

/**
 * The API's answer to writing `sent`: `sent` with the answer's metadata when the answer carries
 * the spec and status that were sent (the usual case, and nothing to validate again: `sent` is
 * already a CanaryObject), else the answer validated (the API server defaulted or pruned a field).
 */
export function writtenCanary(sent: CanaryObject, raw: unknown): CanaryObject {
  const metadata = (raw as { metadata?: V1ObjectMeta } | null | undefined)?.metadata;
  return metadata !== undefined && carriesSent(sent, raw) ? canaryWith(sent, { metadata }) : parseCanary(raw);
}

/**
 * True when `raw` (a write's answer, or its watch event) holds the spec and the valid status of
 * `sent`: it is `sent` at `raw`'s version, with nothing to validate again.
 */
export function carriesSent(sent: CanaryObject, raw: unknown): boolean {
  const { spec, status } = (raw ?? {}) as { spec?: unknown; status?: unknown };
  return sent.statusInvalid !== true && jsonEqual(spec, sent.spec) && jsonEqual(status, sent.status);
}
