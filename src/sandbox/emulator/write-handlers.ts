// POST, PUT, PATCH, DELETE and DELETE-collection.
import { parse as parseYaml } from 'yaml';
import { asVersion, type Cluster } from './cluster.ts';
import { deleteObject } from './deletion.ts';
import { isRecord, parseJson, rec } from './json.ts';
import { createObject, updateObject, type UpdateTarget } from './lifecycle.ts';
import { applyPatch, parsePatchBody, patchKind, type PatchKind } from './patch/index.ts';
import { decodeKubeProtobuf, protobufMediaType } from './protobuf/index.ts';
import { selection } from './read-handlers.ts';
import { fromScale, toScale } from './scale.ts';
import { badRequest, notFound, pathNotFound, unsupportedMediaType } from './status.ts';
import { typeKey } from './store.ts';
import type { ResourceRoute } from './router.ts';
import { fail, ok, type KubeObject, type Reply, type Result } from './types.ts';

export interface WriteRequest {
  readonly route: ResourceRoute;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly body: string;
  /** The body as received (protobuf is binary). */
  readonly raw?: Uint8Array;
}

function reply<T>(result: Result<T>, code: number, shape: (value: T) => unknown = (v) => v): Reply {
  return result.ok ? { code, body: shape(result.value) } : { code: result.status.code, body: result.status };
}

function parseYamlBody(text: string): Result<unknown> {
  try {
    return ok(parseYaml(text) as unknown);
  } catch (error) {
    return fail(badRequest(`error decoding YAML: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function parseJsonBody(text: string): Result<unknown> {
  const parsed = parseJson(text);
  return parsed.ok ? ok(parsed.value) : fail(badRequest(`error decoding request body: ${parsed.error}`));
}

/** A create/update body: JSON, YAML, or Kubernetes protobuf for the kinds kubectl create sends. */
function parseBody(request: WriteRequest): Result<unknown> {
  const media = (request.contentType ?? '').split(';')[0]?.trim() ?? '';
  if (media === 'application/json' || media === '') return parseJsonBody(request.body);
  if (media === 'application/yaml') return parseYamlBody(request.body);
  if (media === protobufMediaType) return decodeKubeProtobuf(request.raw ?? Buffer.from(request.body));
  return fail(unsupportedMediaType(media));
}

function target(request: WriteRequest): UpdateTarget {
  const { route } = request;
  const base = { type: route.type, version: route.version, namespace: route.namespace, name: route.name ?? '', dryRun: request.query.get('dryRun') === 'All' };
  return route.subresource === 'status' ? { ...base, subresource: 'status' } : base;
}

export function handleCreate(cluster: Cluster, request: WriteRequest): Reply {
  if (request.route.type.namespaced && request.route.namespace === undefined) return { code: 404, body: pathNotFound() };
  const body = parseBody(request);
  if (!body.ok) return reply(body, 201);
  return reply(createObject(cluster, target(request), body.value), 201);
}

function current(cluster: Cluster, route: ResourceRoute): KubeObject | undefined {
  const stored = cluster.store.get(typeKey(route.type), route.namespace, route.name ?? '');
  return stored === undefined ? undefined : asVersion(route.type, route.version, stored);
}

/** Writes a new Scale into the Deployment and answers the resulting Scale. */
function writeScale(cluster: Cluster, request: WriteRequest, scale: unknown): Reply {
  const object = current(cluster, request.route);
  if (object === undefined) return reply(fail(notFound(request.route.type, request.route.name ?? '')), 200);
  const next = fromScale(object, scale);
  if (!next.ok) return reply(next, 200);
  return reply(updateObject(cluster, target(request), next.value), 200, toScale);
}

export function handleUpdate(cluster: Cluster, request: WriteRequest): Reply {
  const body = parseBody(request);
  if (!body.ok) return reply(body, 200);
  if (request.route.subresource === 'scale') return writeScale(cluster, request, body.value);
  return reply(updateObject(cluster, target(request), body.value), 200);
}

function applyCreate(cluster: Cluster, request: WriteRequest, patch: unknown): Reply {
  const name = isRecord(patch) && isRecord(patch['metadata']) ? patch['metadata']['name'] : undefined;
  if (name !== request.route.name) return reply(fail(badRequest('the name of the object does not match the name on the URL')), 201);
  const { resourceVersion: _ignored, ...metadata } = rec(rec(patch)['metadata']);
  return reply(createObject(cluster, target(request), { ...rec(patch), metadata }), 201);
}

function patchScale(cluster: Cluster, request: WriteRequest, kind: PatchKind, patch: unknown): Reply {
  const object = current(cluster, request.route);
  if (object === undefined) return reply(fail(notFound(request.route.type, request.route.name ?? '')), 200);
  const scale = applyPatch(kind === 'apply' ? 'merge' : kind, request.route.type, toScale(object), patch);
  return scale.ok ? writeScale(cluster, request, scale.value) : reply(scale, 200);
}

export function handlePatch(cluster: Cluster, request: WriteRequest): Reply {
  const kind = patchKind(request.contentType);
  if (!kind.ok) return reply(kind, 200);
  const patch = parsePatchBody(kind.value, request.body);
  if (!patch.ok) return reply(patch, 200);
  if (request.route.subresource === 'scale') return patchScale(cluster, request, kind.value, patch.value);
  const object = current(cluster, request.route);
  if (object === undefined && kind.value === 'apply') return applyCreate(cluster, request, patch.value);
  if (object === undefined) return reply(fail(notFound(request.route.type, request.route.name ?? '')), 200);
  const patched = applyPatch(kind.value, request.route.type, object, patch.value);
  if (!patched.ok) return reply(patched, 200);
  return reply(updateObject(cluster, target(request), patched.value), 200);
}

function deleteBody(request: WriteRequest): unknown {
  const parsed = request.body.trim() === '' ? undefined : parseJson(request.body);
  return parsed?.ok === true ? parsed.value : undefined;
}

export function handleDelete(cluster: Cluster, request: WriteRequest): Reply {
  const { route } = request;
  const result = deleteObject(cluster, route.type, {
    version: route.version, namespace: route.namespace, name: route.name ?? '', body: deleteBody(request),
    propagationPolicy: request.query.get('propagationPolicy'), dryRun: request.query.get('dryRun') === 'All',
  });
  return reply(result, 200, (d) => d.body);
}

export function handleDeleteCollection(cluster: Cluster, request: WriteRequest): Reply {
  const { route } = request;
  const selected = selection({ route, query: request.query, headers: {} });
  if (!selected.ok) return reply(selected, 200);
  const doomed = cluster.store.list(typeKey(route.type), route.namespace).filter(selected.value);
  const items = doomed.flatMap((o) => {
    const result = deleteObject(cluster, route.type, {
      version: route.version, namespace: o.metadata.namespace, name: o.metadata.name ?? '', body: deleteBody(request),
    });
    return result.ok ? [result.value.object] : [];
  });
  const apiVersion = route.type.group === '' ? route.version : `${route.type.group}/${route.version}`;
  return { code: 200, body: { apiVersion, kind: route.type.listKind, metadata: { resourceVersion: String(cluster.store.resourceVersion) }, items } };
}
