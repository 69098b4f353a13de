// Create and update with the real server's semantics: names, namespaces, resourceVersion
// preconditions, generation, status subresource, schema pruning and validation of custom
// resources, no-op writes, finalizer completion.
import { asVersion, toStorage, type Cluster } from './cluster.ts';
import { withDefaults } from './defaults.ts';
import { removeOrMark, settle } from './deletion.ts';
import { clone, deepEqual, isRecord, rec } from './json.ts';
import { newUid, randomSuffix, timestamp } from './names.ts';
import { alreadyExists, badRequest, conflict, forbidden, internalError, invalid, notFound, storageTooLarge } from './status.ts';
import { typeKey } from './store.ts';
import { checkIdentity, validateObject } from './validate.ts';
import { fail, ok, type KubeObject, type ObjectMeta, type ResourceType, type Result } from './types.ts';

export interface WriteTarget {
  readonly type: ResourceType;
  readonly version: string;
  readonly namespace: string | undefined;
  readonly dryRun?: boolean;
  /** Internal writers (simulated controllers) may create objects with status. */
  readonly keepStatus?: boolean;
}

const goTypes: Readonly<Record<string, string>> = { number: 'number', boolean: 'bool', object: 'object' };

/** Labels and annotations must be string maps: the real server cannot even decode anything else. */
function stringMapProblem(target: WriteTarget, metadata: Record<string, unknown>): string | undefined {
  for (const field of ['labels', 'annotations']) {
    const bad = Object.values(rec(metadata[field])).find((v) => typeof v !== 'string');
    if (bad === undefined) continue;
    const kind = target.type.kind;
    const goType = Array.isArray(bad) ? 'array' : goTypes[typeof bad] ?? typeof bad;
    return `${kind} in version "${target.version}" cannot be handled as a ${kind}: json: cannot unmarshal ${goType} into Go struct field ObjectMeta.metadata.${field} of type string`;
  }
  return undefined;
}

/** A request body as an object with metadata, with kind/apiVersion defaulted from the path. */
export function asObject(target: WriteTarget, body: unknown): Result<KubeObject> {
  if (!isRecord(body)) return fail(badRequest('the body of the request must be a JSON object'));
  const metadata = isRecord(body['metadata']) ? (body['metadata'] as ObjectMeta) : {};
  const problem = stringMapProblem(target, metadata);
  if (problem !== undefined) return fail(badRequest(problem));
  const apiVersion = target.type.group === '' ? target.version : `${target.type.group}/${target.version}`;
  return ok(clone({ apiVersion, kind: target.type.kind, ...body, metadata }) as KubeObject);
}

function checkNamespace(cluster: Cluster, target: WriteTarget, object: KubeObject): Result<void> {
  if (!target.type.namespaced) {
    delete object.metadata.namespace;
    return ok(undefined);
  }
  const ns = target.namespace ?? '';
  const given = object.metadata.namespace;
  if (given !== undefined && given !== '' && given !== ns) {
    return fail(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
  }
  object.metadata.namespace = ns;
  const namespace = cluster.store.get('/namespaces', undefined, ns);
  if (namespace === undefined) return fail(notFound({ group: '', plural: 'namespaces' }, ns));
  if (namespace.metadata.deletionTimestamp === undefined) return ok(undefined);
  const message = `${target.type.plural} "${object.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`;
  return fail(forbidden(message, { name: object.metadata.name ?? '', kind: target.type.plural }));
}

function chooseName(cluster: Cluster, target: WriteTarget, meta: ObjectMeta): void {
  if ((meta.name ?? '') !== '' || (meta.generateName ?? '') === '') return;
  const key = typeKey(target.type);
  for (let i = 0; i < 8; i += 1) {
    meta.name = `${meta.generateName ?? ''}${randomSuffix()}`;
    if (cluster.store.get(key, target.namespace, meta.name) === undefined) return;
  }
}

/**
 * The object to store, or the 422 for it. Custom resources are pruned by their version's schema
 * first and then validated against it, after the checks every kind gets.
 */
function validated(cluster: Cluster, target: WriteTarget, object: KubeObject, previous?: KubeObject): Result<KubeObject> {
  const schema = target.type.schema?.(target.version);
  const pruned = schema === undefined ? object : schema.prune(object);
  const defaulted = withDefaults(target.type.group, pruned, previous, cluster.defaults);
  const causes = [
    ...checkIdentity(target.type, target.version, defaulted),
    ...validateObject(target.type, defaulted, previous),
    ...(schema?.validate(defaulted, previous) ?? []),
  ];
  return causes.length === 0 ? ok(defaulted) : fail(invalid(target.type, object.metadata.name ?? '', causes));
}

/** The object a create would store, before the existence check. */
function prepareCreate(cluster: Cluster, target: WriteTarget, body: unknown): Result<KubeObject> {
  const parsed = asObject(target, body);
  if (!parsed.ok) return parsed;
  const object = parsed.value;
  if ((object.metadata.resourceVersion ?? '') !== '') return fail(internalError('resourceVersion should not be set on objects to be created'));
  const nsCheck = checkNamespace(cluster, target, object);
  if (!nsCheck.ok) return fail(nsCheck.status);
  chooseName(cluster, target, object.metadata);
  if (target.type.subresources.status && target.keepStatus !== true) delete object['status'];
  return validated(cluster, target, object);
}

/** etcd's default --max-request-bytes. The stored form here is JSON, larger than the real protobuf: never kinder. */
const maxStoredBytes = 1.5 * 1024 * 1024;

function tooLargeToStore(object: KubeObject): boolean {
  return Buffer.byteLength(JSON.stringify(object)) > maxStoredBytes;
}

/** POST: a new object. */
export function createObject(cluster: Cluster, target: WriteTarget, body: unknown): Result<KubeObject> {
  const result = prepareCreate(cluster, target, body);
  if (!result.ok) return result;
  const { name = '', namespace } = result.value.metadata;
  const key = typeKey(target.type);
  if (cluster.store.get(key, namespace, name) !== undefined) return fail(alreadyExists(target.type, name));
  const fresh = freshMetadata(cluster, target.type, result.value);
  if (target.dryRun === true) return ok(asVersion(target.type, target.version, fresh));
  if (tooLargeToStore(fresh)) return fail(storageTooLarge());
  const stored = cluster.store.put(key, toStorage(target.type, fresh));
  const owners = stored.metadata.ownerReferences ?? [];
  if (owners.length > 0 && owners.every((r) => !cluster.store.hasUid(r.uid))) cluster.scheduleSweep();
  return ok(asVersion(target.type, target.version, stored));
}

function freshMetadata(cluster: Cluster, type: ResourceType, object: KubeObject): KubeObject {
  const meta: ObjectMeta = { ...object.metadata, uid: newUid(), creationTimestamp: timestamp(cluster.now()) };
  for (const key of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'] as const) delete meta[key];
  if (type.generation !== 'none') meta.generation = 1;
  else delete meta.generation;
  return { ...object, metadata: meta };
}

export interface UpdateTarget extends WriteTarget {
  readonly name: string;
  readonly subresource?: 'status';
}

/** The object a write would produce from `current` and the client's `incoming` object. */
function merged(type: ResourceType, current: KubeObject, incoming: KubeObject, subresource: 'status' | undefined): KubeObject {
  if (subresource === 'status') {
    const next: KubeObject = { ...current };
    if (incoming['status'] === undefined) delete next['status'];
    else next['status'] = incoming['status'];
    return next;
  }
  const next: KubeObject = { ...incoming };
  if (type.subresources.status) {
    if (current['status'] === undefined) delete next['status'];
    else next['status'] = current['status'];
  }
  const keep = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name'] as const;
  const meta: Record<string, unknown> = { ...incoming.metadata };
  for (const key of keep) {
    if (current.metadata[key] === undefined) delete meta[key];
    else meta[key] = current.metadata[key];
  }
  delete meta.managedFields;
  return { ...next, metadata: meta };
}

function without(object: KubeObject, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  for (const key of keys) delete copy[key];
  return copy;
}

function nextGeneration(type: ResourceType, current: KubeObject, next: KubeObject): number | undefined {
  const generation = current.metadata.generation;
  if (type.generation === 'none' || generation === undefined) return generation;
  const ignored = type.generation === 'spec' ? [] : type.generation === 'all' ? ['metadata', 'apiVersion'] : ['metadata', 'status', 'apiVersion'];
  const changed = type.generation === 'spec'
    ? !deepEqual(current['spec'], next['spec'])
    : !deepEqual(without(current, ignored), without(next, ignored));
  return changed ? generation + 1 : generation;
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => ({ ...o, apiVersion: undefined, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(strip(a), strip(b));
}

function checkUpdateBody(target: UpdateTarget, current: KubeObject, incoming: KubeObject): Result<void> {
  const name = incoming.metadata.name ?? '';
  if (name !== target.name) return fail(badRequest(`the name of the object (${name}) does not match the name on the URL (${target.name})`));
  const ns = incoming.metadata.namespace;
  if (target.type.namespaced && ns !== undefined && ns !== '' && ns !== target.namespace) {
    return fail(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
  }
  const rv = incoming.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) return fail(conflict(target.type, target.name));
  return ok(undefined);
}

/** The object an update would store. */
function prepareUpdate(cluster: Cluster, target: UpdateTarget, current: KubeObject, body: unknown): Result<KubeObject> {
  const parsed = asObject(target, body);
  if (!parsed.ok) return parsed;
  const bodyCheck = checkUpdateBody(target, current, parsed.value);
  if (!bodyCheck.ok) return fail(bodyCheck.status);
  const result = validated(cluster, target, merged(target.type, current, parsed.value, target.subresource), current);
  if (!result.ok) return result;
  const next = toStorage(target.type, result.value);
  const generation = nextGeneration(target.type, current, next);
  return ok(generation === undefined ? next : { ...next, metadata: { ...next.metadata, generation } });
}

/** PUT (and the second half of PATCH): replace the object, or only its status. */
export function updateObject(cluster: Cluster, target: UpdateTarget, body: unknown): Result<KubeObject> {
  const key = typeKey(target.type);
  const current = cluster.store.get(key, target.namespace, target.name);
  if (current === undefined) return fail(notFound(target.type, target.name));
  const prepared = prepareUpdate(cluster, target, current, body);
  if (!prepared.ok) return prepared;
  const next = prepared.value;
  if (target.dryRun === true) return ok(asVersion(target.type, target.version, next));
  if (sameObject(current, next)) return ok(asVersion(target.type, target.version, current));
  if (tooLargeToStore(next)) return fail(storageTooLarge());
  const stored = cluster.store.put(key, next);
  if (stored.metadata.deletionTimestamp !== undefined && (stored.metadata.finalizers ?? []).length === 0) {
    const { object, removed } = removeOrMark(cluster, target.type, stored);
    settle(cluster, object, removed);
    return ok(asVersion(target.type, target.version, object));
  }
  return ok(asVersion(target.type, target.version, stored));
}
