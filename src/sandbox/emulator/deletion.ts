// Deletion: finalizers hold an object (with deletionTimestamp) until removed; owner references
// cascade in the background; namespaces empty themselves before they go.
import { asVersion, type Cluster } from './cluster.ts';
import { isRecord } from './json.ts';
import { timestamp } from './names.ts';
import { conflict, notFound, success } from './status.ts';
import { typeKey } from './store.ts';
import { fail, ok, type KubeObject, type ObjectMeta, type ResourceType, type Result } from './types.ts';

export interface DeleteOptions {
  readonly version: string;
  readonly namespace: string | undefined;
  readonly name: string;
  /** DeleteOptions body as sent by the client, if any. */
  readonly body?: unknown;
  readonly propagationPolicy?: string | null;
  readonly dryRun?: boolean;
}

export interface Deleted {
  readonly object: KubeObject;
  /** Gone from the store (false: waiting on finalizers). */
  readonly removed: boolean;
  /** What DELETE answers: the object, or a Success Status. */
  readonly body: unknown;
}

function preconditionFailure(type: ResourceType, current: KubeObject, body: unknown): Result<void> {
  const pre = isRecord(body) && isRecord(body['preconditions']) ? body['preconditions'] : {};
  const uid = pre['uid'];
  const rv = pre['resourceVersion'];
  const name = current.metadata.name ?? '';
  if (typeof uid === 'string' && uid !== current.metadata.uid) {
    return fail(conflict(type, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid ?? ''}`));
  }
  if (typeof rv === 'string' && rv !== current.metadata.resourceVersion) {
    return fail(conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`));
  }
  return ok(undefined);
}

function policyOf(options: DeleteOptions): string {
  const body = isRecord(options.body) ? options.body : {};
  if (typeof body['propagationPolicy'] === 'string') return body['propagationPolicy'];
  if (body['orphanDependents'] === true) return 'Orphan';
  return options.propagationPolicy ?? 'Background';
}

/**
 * Removes the object now, or marks it deleting when finalizers (or namespace contents) hold it.
 * Returns the object as last seen and whether it is gone.
 */
export function removeOrMark(cluster: Cluster, type: ResourceType, current: KubeObject): { object: KubeObject; removed: boolean } {
  const resource = typeKey(type);
  const finalizers = current.metadata.finalizers ?? [];
  const isNamespace = type.group === '' && type.plural === 'namespaces';
  if (finalizers.length === 0 && !isNamespace) {
    const gone = cluster.store.remove(resource, current.metadata.namespace, current.metadata.name ?? '');
    return { object: gone ?? current, removed: true };
  }
  if (current.metadata.deletionTimestamp !== undefined) return { object: current, removed: false };
  const marked: KubeObject = {
    ...current,
    metadata: { ...current.metadata, deletionTimestamp: timestamp(cluster.now()), deletionGracePeriodSeconds: 0 },
  };
  if (isNamespace) marked['status'] = { ...(isRecord(current['status']) ? current['status'] : {}), phase: 'Terminating' };
  return { object: cluster.store.put(resource, marked), removed: false };
}

/** Drops owner references to `uid` from every dependent (the Orphan policy). */
function orphanDependents(cluster: Cluster, uid: string): void {
  const dependents = [...cluster.store.entries()].filter(({ object }) => object.metadata.ownerReferences?.some((r) => r.uid === uid) === true);
  for (const { resource, object } of dependents) {
    const refs = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
    const metadata: ObjectMeta = { ...object.metadata, ownerReferences: refs };
    if (refs.length === 0) delete metadata.ownerReferences;
    cluster.store.put(resource, { ...object, metadata });
  }
}

/** DELETE on one object. */
export function deleteObject(cluster: Cluster, type: ResourceType, options: DeleteOptions): Result<Deleted> {
  const current = cluster.store.get(typeKey(type), options.namespace, options.name);
  if (current === undefined) return fail(notFound(type, options.name));
  const pre = preconditionFailure(type, current, options.body);
  if (!pre.ok) return fail(pre.status);
  if (options.dryRun === true) return ok({ object: current, removed: false, body: asVersion(type, options.version, current) });
  if (policyOf(options) === 'Orphan') orphanDependents(cluster, current.metadata.uid ?? '');
  const { object, removed } = removeOrMark(cluster, type, current);
  settle(cluster, object, removed);
  const shown = asVersion(type, options.version, object);
  const body = removed && !type.deleteReturnsObject ? success(type, options.name, object.metadata.uid ?? '') : shown;
  return ok({ object: shown, removed, body });
}

function isDangling(cluster: Cluster, object: KubeObject): boolean {
  const refs = object.metadata.ownerReferences ?? [];
  return refs.length > 0 && refs.every((r) => !cluster.store.hasUid(r.uid));
}

function inTerminatingNamespace(cluster: Cluster, object: KubeObject): boolean {
  const ns = object.metadata.namespace;
  if (ns === undefined) return false;
  return cluster.store.get('/namespaces', undefined, ns)?.metadata.deletionTimestamp !== undefined;
}

/** Background cascade: deletes dependents of a removed object whose owners are all gone, recursively. */
function cascade(cluster: Cluster, removed: KubeObject): void {
  const queue = [removed.metadata.uid ?? ''];
  for (let uid = queue.shift(); uid !== undefined; uid = queue.shift()) {
    for (const { resource, object } of cluster.store.dependents(uid)) {
      const type = cluster.registry.byKey(resource);
      if (type === undefined || object.metadata.deletionTimestamp !== undefined || !isDangling(cluster, object)) continue;
      if (removeOrMark(cluster, type, object).removed) queue.push(object.metadata.uid ?? '');
    }
  }
}

/** What follows a deletion: the owner cascade, and namespace termination while one is under way. */
export function settle(cluster: Cluster, object: KubeObject, removed: boolean): void {
  if (removed) cascade(cluster, object);
  if (cluster.store.list('/namespaces').some((ns) => ns.metadata.deletionTimestamp !== undefined)) sweep(cluster);
}

/** Deletes whatever lost all its owners or sits in a terminating namespace; removes emptied namespaces. */
export function sweep(cluster: Cluster): void {
  for (let round = 0; round < 100; round += 1) {
    const doomed = [...cluster.store.entries()].filter(({ object }) =>
      object.metadata.deletionTimestamp === undefined && (isDangling(cluster, object) || inTerminatingNamespace(cluster, object)));
    for (const { resource, object } of doomed) {
      const type = cluster.registry.byKey(resource);
      if (type !== undefined) removeOrMark(cluster, type, object);
    }
    const emptied = finishNamespaces(cluster);
    if (doomed.length === 0 && !emptied) return;
  }
}

function finishNamespaces(cluster: Cluster): boolean {
  const terminating = cluster.store.list('/namespaces').filter((ns) => ns.metadata.deletionTimestamp !== undefined);
  let changed = false;
  for (const ns of terminating) {
    const name = ns.metadata.name ?? '';
    const hasContent = [...cluster.store.entries()].some(({ object }) => object.metadata.namespace === name);
    if (hasContent || (ns.metadata.finalizers ?? []).length > 0) continue;
    cluster.store.remove('/namespaces', undefined, name);
    changed = true;
  }
  return changed;
}
