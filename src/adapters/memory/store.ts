// The objects of the in-memory cluster, kept as a real API server keeps them. It reuses the
// emulator's pure rules (names, validation, defaulting, merge patch; no HTTP) so the two cannot
// disagree on them: resourceVersion on every write and preconditions on it (stale → 409),
// create of an existing name → 409 AlreadyExists, uid and creationTimestamp, generation moved by
// spec changes only, status only through the status subresource, no-op writes change nothing.
// Objects go in and come out as copies: a caller never holds the stored object.
import { builtinResources } from '../../sandbox/emulator/builtin-resources.ts';
import { withDefaults } from '../../sandbox/emulator/defaults.ts';
import { clone, deepEqual, isRecord, rec } from '../../sandbox/emulator/json.ts';
import { checkName, newUid, timestamp } from '../../sandbox/emulator/names.ts';
import { applyMergePatch } from '../../sandbox/emulator/patch/merge-patch.ts';
import type { GenerationRule, KubeObject, ResourceType } from '../../sandbox/emulator/types.ts';
import { validateObject } from '../../sandbox/emulator/validate.ts';
import { apiError, type ApiCall } from './faults.ts';

export type Plural = 'deployments' | 'services' | 'configmaps' | 'secrets' | 'events' | 'canaries' | 'trafficsplits' | 'httproutes' | 'gateways' | 'analysistemplates' | 'clusteranalysistemplates' | 'horizontalpodautoscalers';

interface Kind {
  readonly status: boolean;
  readonly generation: GenerationRule;
  /** Cluster-scoped: stored under the namespace "" (no namespace to exist). */
  readonly clusterScoped?: boolean;
  /** Builtins: the emulator's type (validation, defaulting); custom resources have none. */
  readonly type?: ResourceType;
}

const builtins = builtinResources();
const builtin = (group: string, plural: string, status: boolean): Kind => {
  const type = builtins.find((t) => t.group === group && t.plural === plural);
  return { status, generation: type?.generation ?? 'none', ...(type === undefined ? {} : { type }) };
};

const kinds: Readonly<Record<Plural, Kind>> = {
  deployments: builtin('apps', 'deployments', true),
  services: builtin('', 'services', true),
  configmaps: builtin('', 'configmaps', false),
  secrets: builtin('', 'secrets', false),
  events: builtin('', 'events', false),
  horizontalpodautoscalers: builtin('autoscaling', 'horizontalpodautoscalers', true),
  // Custom resources, as the emulator serves a CRD with (canaries) and without a status subresource.
  canaries: { status: true, generation: 'all-but-status' },
  trafficsplits: { status: false, generation: 'all' },
  httproutes: { status: true, generation: 'all-but-status' },
  gateways: { status: true, generation: 'all-but-status' },
  analysistemplates: { status: true, generation: 'all-but-status' },
  clusteranalysistemplates: { status: true, generation: 'all-but-status', clusterScoped: true },
};

/** A change to the stored objects: a write, or a delete (`deleted`). */
export type Listener = (plural: Plural, object: KubeObject, deleted: boolean) => void;

/** Extra checks of a kind's objects (a CRD's schema): the problems, empty when valid. */
export type Validator = (object: KubeObject) => readonly string[];

export interface StoreOptions {
  readonly now: () => number;
  readonly validators?: Partial<Record<Plural, Validator>>;
}

function without(object: KubeObject, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  for (const key of keys) delete copy[key];
  return copy;
}

function specChanged(rule: GenerationRule, before: KubeObject, after: KubeObject): boolean {
  if (rule === 'spec') return !deepEqual(before['spec'], after['spec']);
  const ignored = rule === 'all' ? ['metadata', 'apiVersion'] : ['metadata', 'status', 'apiVersion'];
  return !deepEqual(without(before, ignored), without(after, ignored));
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => ({ ...o, apiVersion: undefined, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(strip(a), strip(b));
}

/** The real server cannot even decode labels or annotations that are not strings (400). */
function checkMetadata(call: ApiCall, object: KubeObject): void {
  if (!isRecord(object.metadata)) throw apiError(call, 400, 'metadata must be an object');
  for (const field of ['labels', 'annotations'] as const) {
    if (Object.values(rec(object.metadata[field])).some((v) => typeof v !== 'string')) throw apiError(call, 400, `metadata.${field} must map strings to strings`);
  }
}

const kept = ['uid', 'creationTimestamp', 'generation', 'namespace', 'name'] as const;

export class MemoryStore {
  readonly #objects = new Map<string, KubeObject>();
  readonly #options: StoreOptions;
  readonly #written = new Set<Listener>();
  #version = 0;
  #clusterIp = 10;

  constructor(options: StoreOptions) {
    this.#options = options;
  }

  /** Sees every stored change (also internal ones and deletes), after it is made. */
  onWrite(listener: Listener): void {
    this.#written.add(listener);
  }

  /** The stored object (a copy), or null. */
  peek(plural: Plural, namespace: string, name: string): KubeObject | null {
    const object = this.#objects.get(`${plural}/${namespace}/${name}`);
    return object === undefined ? null : clone(object);
  }

  list(plural: Plural, namespace?: string): KubeObject[] {
    return [...this.#objects.entries()]
      .filter(([key, object]) => key.startsWith(`${plural}/`) && (namespace === undefined || object.metadata.namespace === namespace))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, object]) => clone(object));
  }

  /** Namespaces that exist; a create anywhere else is refused (404), as by the API server. */
  readonly namespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'fledge-system']);

  create(plural: Plural, call: ApiCall, body: KubeObject): KubeObject {
    const kind = kinds[plural];
    if (kind.clusterScoped !== true && !this.namespaces.has(call.namespace)) throw apiError(call, 404, `namespaces "${call.namespace}" not found`);
    const object = this.#checked(plural, call, clone(body), undefined);
    if ((object.metadata.resourceVersion ?? '') !== '') throw apiError(call, 500, 'resourceVersion should not be set on objects to be created');
    if (this.peek(plural, call.namespace, call.name) !== null) throw apiError(call, 409, `${plural} "${call.name}" already exists`);
    if (kind.status) delete object['status'];
    const meta = { ...object.metadata, namespace: call.namespace, uid: newUid(), creationTimestamp: timestamp(this.#options.now()) };
    if (kind.generation !== 'none') meta.generation = 1;
    return this.#put(plural, { ...object, metadata: meta });
  }

  /** PUT of the object, or of its status only; conditional on metadata.resourceVersion when set. */
  update(plural: Plural, call: ApiCall, body: KubeObject, subresource?: 'status'): KubeObject {
    const current = this.#current(plural, call);
    const rv = body.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
      throw apiError(call, 409, `Operation cannot be fulfilled on ${plural} "${call.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    if ((body.metadata.name ?? '') !== call.name) throw apiError(call, 400, 'the name of the object does not match the name on the URL');
    return this.#store(plural, call, current, this.#merged(plural, current, clone(body), subresource));
  }

  /** A JSON merge patch (RFC 7386); `scale` sets spec.replicas through the /scale subresource. */
  patch(plural: Plural, call: ApiCall, patch: unknown): KubeObject {
    const current = this.#current(plural, call);
    const patched = applyMergePatch(clone(current), patch) as KubeObject;
    const next = this.#merged(plural, current, { ...patched, metadata: rec(patched.metadata) }, undefined);
    return this.#store(plural, call, current, next);
  }

  /** Idempotent: a missing object is not an error. Dependents go later, in collect(). */
  delete(plural: Plural, namespace: string, name: string): void {
    const key = `${plural}/${namespace}/${name}`;
    const object = this.#objects.get(key);
    if (object === undefined) return;
    this.#objects.delete(key);
    for (const listener of this.#written) listener(plural, clone(object), true);
  }

  /** Garbage collection: removes every object whose owners all are gone (as the real collector does, later). */
  collect(): void {
    const orphans = (): string[] => {
      const uids = new Set([...this.#objects.values()].map((o) => o.metadata.uid));
      return [...this.#objects].filter(([, object]) => {
        const owners = object.metadata.ownerReferences ?? [];
        return owners.length > 0 && owners.every((o) => !uids.has(o.uid));
      }).map(([key]) => key);
    };
    // Until none is left: a collected owner orphans its own dependents (cascading, as in background deletion).
    for (let found = orphans(); found.length > 0; found = orphans()) found.forEach((key) => this.#objects.delete(key));
  }

  /** An internal writer's status update (a simulated controller): not a client call, not logged. */
  writeStatus(plural: Plural, namespace: string, name: string, status: unknown): void {
    const current = this.peek(plural, namespace, name);
    if (current === null || deepEqual(current['status'], status)) return;
    this.#put(plural, { ...current, status });
  }

  #current(plural: Plural, call: ApiCall): KubeObject {
    const current = this.peek(plural, call.namespace, call.name);
    if (current === null) throw apiError(call, 404, `${plural} "${call.name}" not found`);
    return current;
  }

  #merged(plural: Plural, current: KubeObject, incoming: KubeObject, subresource: 'status' | undefined): KubeObject {
    const kind = kinds[plural];
    if (subresource === 'status') return { ...current, status: incoming['status'] };
    // A PUT replaces the object; apiVersion and kind default from the URL (here: the stored object).
    const next: KubeObject = { ...incoming };
    if (next.apiVersion === undefined && current.apiVersion !== undefined) next.apiVersion = current.apiVersion;
    if (next.kind === undefined && current.kind !== undefined) next.kind = current.kind;
    if (kind.status) next['status'] = current['status'];
    const meta: Record<string, unknown> = { ...incoming.metadata };
    for (const key of kept) meta[key] = current.metadata[key];
    return { ...next, metadata: Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined)) };
  }

  #store(plural: Plural, call: ApiCall, current: KubeObject, incoming: KubeObject): KubeObject {
    const next = this.#checked(plural, call, incoming, current);
    const generation = current.metadata.generation;
    if (generation !== undefined && specChanged(kinds[plural].generation, current, next)) next.metadata.generation = generation + 1;
    if (sameObject(current, next)) return current;
    return this.#put(plural, next);
  }

  /** Defaulted and validated as the API server would, or the 400/422 it would answer. */
  #checked(plural: Plural, call: ApiCall, object: KubeObject, previous: KubeObject | undefined): KubeObject {
    checkMetadata(call, object);
    const type = kinds[plural].type;
    const defaulted = type === undefined ? object : withDefaults(type.group, object, previous, { nextClusterIp: () => `10.96.0.${(this.#clusterIp += 1) % 250}` });
    const causes = type === undefined ? checkName(defaulted.metadata.name ?? '', 'subdomain') : validateObject(type, defaulted, previous);
    const problems = [...causes.map((c) => `${c.field ?? ''}: ${c.message}`), ...(this.#options.validators?.[plural]?.(defaulted) ?? [])];
    if (problems.length > 0) throw apiError(call, 422, `${plural} "${call.name}" is invalid: ${problems.join('; ')}`);
    return defaulted;
  }

  #put(plural: Plural, object: KubeObject): KubeObject {
    this.#version += 1;
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.#version) } };
    this.#objects.set(`${plural}/${stored.metadata.namespace ?? ''}/${stored.metadata.name ?? ''}`, stored);
    for (const listener of this.#written) listener(plural, clone(stored), false);
    return clone(stored);
  }
}
