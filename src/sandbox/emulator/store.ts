// The object store: one global, monotonic resourceVersion; a bounded event history for resuming
// watches; listeners called in resourceVersion order even when a listener writes.
import type { KubeObject, ResourceType } from './types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A committed change. `object` carries the new resourceVersion (for DELETED: the deletion's). */
export interface StoreEvent {
  readonly type: EventType;
  readonly rv: number;
  readonly resource: string;
  readonly object: KubeObject;
  readonly previous?: KubeObject;
}

export type Listener = (event: StoreEvent) => void;

/** `apps/deployments`, `/pods`: the store's key for a resource type across its versions. */
export function typeKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/**
 * Stored objects are shared, never mutated: callers treat what they read as read-only and
 * write new objects with `put`.
 */
export class ObjectStore {
  private readonly byType = new Map<string, Map<string, KubeObject>>();
  private readonly uids = new Map<string, { resource: string; key: string }>();
  /** owner uid → dependents, as `resource` + object key. */
  private readonly owners = new Map<string, Map<string, { resource: string; key: string }>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly pending: StoreEvent[] = [];
  private dispatching = false;
  private rv = 1;
  private compacted = 0;

  constructor(private readonly window: number) {}

  get resourceVersion(): number {
    return this.rv;
  }

  /** Watches from a resourceVersion below this one answer 410 Gone. */
  get compactedVersion(): number {
    return this.compacted;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byType.get(resource)?.get(objectKey(namespace, name));
  }

  /** Objects of a type, sorted by namespace then name; all namespaces when `namespace` is undefined. */
  list(resource: string, namespace?: string): KubeObject[] {
    const objects = [...(this.byType.get(resource)?.entries() ?? [])];
    objects.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const all = objects.map(([, o]) => o);
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Every stored object with its resource key. */
  *entries(): Generator<{ resource: string; object: KubeObject }> {
    for (const [resource, objects] of this.byType) {
      for (const object of objects.values()) yield { resource, object };
    }
  }

  hasUid(uid: string): boolean {
    return this.uids.has(uid);
  }

  /** Objects with an owner reference to `uid`. */
  dependents(uid: string): { resource: string; object: KubeObject }[] {
    const found: { resource: string; object: KubeObject }[] = [];
    for (const { resource, key } of this.owners.get(uid)?.values() ?? []) {
      const object = this.byType.get(resource)?.get(key);
      if (object !== undefined) found.push({ resource, object });
    }
    return found;
  }

  private index(resource: string, key: string, object: KubeObject | undefined, add: boolean): void {
    for (const ref of object?.metadata.ownerReferences ?? []) {
      const entries = this.owners.get(ref.uid) ?? new Map<string, { resource: string; key: string }>();
      if (add) entries.set(`${resource}|${key}`, { resource, key });
      else entries.delete(`${resource}|${key}`);
      if (entries.size === 0) this.owners.delete(ref.uid);
      else this.owners.set(ref.uid, entries);
    }
  }

  /** Stores `object` (which must have name and uid) under a new resourceVersion and returns it. */
  put(resource: string, object: KubeObject): KubeObject {
    const name = object.metadata.name ?? '';
    const key = objectKey(object.metadata.namespace, name);
    const objects = this.byType.get(resource) ?? new Map<string, KubeObject>();
    this.byType.set(resource, objects);
    const previous = objects.get(key);
    this.rv += 1;
    const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.rv) } };
    objects.set(key, stored);
    this.index(resource, key, previous, false);
    this.index(resource, key, stored, true);
    if (stored.metadata.uid !== undefined) this.uids.set(stored.metadata.uid, { resource, key });
    const event: StoreEvent = previous === undefined
      ? { type: 'ADDED', rv: this.rv, resource, object: stored }
      : { type: 'MODIFIED', rv: this.rv, resource, object: stored, previous };
    this.record(event);
    return stored;
  }

  /** Removes an object; the DELETED event carries a new resourceVersion. */
  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const objects = this.byType.get(resource);
    const key = objectKey(namespace, name);
    const previous = objects?.get(key);
    if (objects === undefined || previous === undefined) return undefined;
    objects.delete(key);
    this.index(resource, key, previous, false);
    if (previous.metadata.uid !== undefined) this.uids.delete(previous.metadata.uid);
    this.rv += 1;
    const gone: KubeObject = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(this.rv) } };
    this.record({ type: 'DELETED', rv: this.rv, resource, object: gone, previous });
    return gone;
  }

  /** Events after `rv`, or `expired` when some of them were already dropped from the window. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compacted) return 'expired';
    const first = this.history.findIndex((e) => e.rv > rv);
    return first === -1 ? [] : this.history.slice(first);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    while (this.history.length > this.window) {
      const dropped = this.history.shift();
      if (dropped !== undefined) this.compacted = dropped.rv;
    }
    this.pending.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) {
        for (const listener of [...this.listeners]) listener(next);
      }
    } finally {
      this.dispatching = false;
    }
  }
}
