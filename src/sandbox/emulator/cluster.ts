// What the write paths share: store, served types, clock, defaulting state, deferred work.
import type { DefaultsContext } from './defaults.ts';
import type { ResourceRegistry } from './registry.ts';
import type { ObjectStore } from './store.ts';
import type { KubeObject, ResourceType } from './types.ts';

export interface Cluster {
  readonly store: ObjectStore;
  readonly registry: ResourceRegistry;
  readonly defaults: DefaultsContext;
  readonly now: () => number;
  /** Runs garbage collection soon (after the current request), e.g. for dangling owner references. */
  readonly scheduleSweep: () => void;
}

export function apiVersionOf(type: Pick<ResourceType, 'group'>, version: string): string {
  return type.group === '' ? version : `${type.group}/${version}`;
}

/** The object as served at `version`. Conversion between CRD versions only relabels apiVersion. */
export function asVersion(type: ResourceType, version: string, object: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(type, version);
  if (object.apiVersion === apiVersion && object.kind === type.kind) return object;
  return { ...object, apiVersion, kind: type.kind };
}

/** The object as stored: labelled with the storage version. */
export function toStorage(type: ResourceType, object: KubeObject): KubeObject {
  return asVersion(type, type.storageVersion, object);
}
