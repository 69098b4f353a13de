// What a TrafficSplit (split.smi-spec.io) means to Fledge, as pure functions shared by the
// router over the API (smi-router.ts) and the in-memory one (memory/router.ts): whose it is,
// what it routes, and the split Fledge writes. Weights are relative; v1alpha1 writes them as
// quantities.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { FledgeError } from '../errors.ts';
import { managedByLabel, managedByValue, type RouteRef, type RouteState } from '../ports.ts';
import { formatQuantity, parseQuantity } from './kube/quantity.ts';

export { managedByLabel, managedByValue };
export const splitGroup = 'split.smi-spec.io';

interface Backend {
  readonly service: string;
  readonly weight: number | string;
}

/** A TrafficSplit as stored; a split edited by hand may lack any part of its spec. */
export interface TrafficSplit {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec?: { service?: string; backends?: unknown };
}

/** Fledge's label and, when the ref names an owner, an owner reference to it (a copied label is not enough). */
export function isManaged(split: Pick<TrafficSplit, 'metadata'>, ref: RouteRef): boolean {
  if (split.metadata.labels?.[managedByLabel] !== managedByValue) return false;
  const uid = ref.owner?.uid;
  return uid === undefined || uid === '' || (split.metadata.ownerReferences ?? []).some((owner) => owner.uid === uid);
}

/** Who a foreign split (or route) seems to belong to, for messages. */
export function foreignOwner(split: Pick<TrafficSplit, 'metadata'>): string {
  const owner = split.metadata.ownerReferences?.[0];
  if (owner !== undefined) return `${owner.kind}/${owner.name}`;
  const label = split.metadata.labels?.[managedByLabel];
  return label !== undefined && label !== '' ? label : 'unknown';
}

/** FLEDGE_ROUTE_FOREIGN: the split of that name is someone else's. */
export function foreignSplit(split: TrafficSplit, ref: RouteRef): FledgeError {
  return new FledgeError('FLEDGE_ROUTE_FOREIGN',
    `TrafficSplit ${ref.namespace}/${ref.name} exists and is managed by ${foreignOwner(split)}, not Fledge; remove it or rename the app`);
}

/** A split edited by hand may have lost its backends (or its spec): that reads as no backends, and is rewritten. */
function backendsOf(split: TrafficSplit): readonly Backend[] {
  const backends = split.spec?.backends;
  return Array.isArray(backends) ? backends.filter((b): b is Backend => typeof b === 'object' && b !== null) : [];
}

function weightOf(split: TrafficSplit, service: string): number {
  const backend = backendsOf(split).find((b) => b.service === service);
  return backend === undefined ? 0 : (parseQuantity(backend.weight) ?? 0);
}

/**
 * Weights are relative: report them as percentages summing to 100. A split whose weights
 * total 0 reads as 0/0, which differs from any written state, so the next write repairs it.
 */
export function readWeights(split: TrafficSplit, ref: RouteRef): { canaryWeight: number; primaryWeight: number } {
  const canary = Math.max(0, weightOf(split, ref.canaryService));
  const primary = Math.max(0, weightOf(split, ref.primaryService));
  const total = canary + primary;
  if (total <= 0) return { canaryWeight: 0, primaryWeight: 0 };
  const canaryWeight = Math.round((100 * canary) / total);
  return { canaryWeight, primaryWeight: 100 - canaryWeight };
}

/** The split names the apex, exactly the two backends, and weights summing to 100. */
function isExact(split: TrafficSplit, ref: RouteRef): boolean {
  const backends = backendsOf(split);
  const services = new Set(backends.map((b) => b.service));
  const both = backends.length === 2 && services.has(ref.canaryService) && services.has(ref.primaryService);
  return both && split.spec?.service === ref.name && weightOf(split, ref.canaryService) + weightOf(split, ref.primaryService) === 100;
}

/** What the router reports for the split of that name (null: none). */
export function routeStateOf(split: TrafficSplit | null, ref: RouteRef): RouteState {
  if (split === null) return { kind: 'missing' };
  if (!isManaged(split, ref)) return { kind: 'foreign', owner: foreignOwner(split) };
  return { kind: 'routed', ...readWeights(split, ref), exact: isExact(split, ref) };
}

/** The split already says exactly this weight: writing it again would change nothing. */
export function isWritten(split: TrafficSplit, ref: RouteRef, canaryWeight: number): boolean {
  return isExact(split, ref) && readWeights(split, ref).canaryWeight === canaryWeight;
}

/** RangeError unless the weight is an integer percentage. */
export function checkWeight(canaryWeight: number): void {
  if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
    throw new RangeError(`canary weight must be an integer in 0..100, got ${canaryWeight}`);
  }
}

/** The split Fledge writes for `ref` at `version` (e.g. "v1alpha2"). */
export function splitFor(ref: RouteRef, canaryWeight: number, version: string): TrafficSplit {
  const weight = (value: number): number | string => (version === 'v1alpha1' ? formatQuantity(value) : value);
  return {
    apiVersion: `${splitGroup}/${version}`,
    kind: 'TrafficSplit',
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { [managedByLabel]: managedByValue },
      ...(ref.owner === undefined ? {} : { ownerReferences: [{ ...ref.owner, controller: true }] }),
    },
    spec: {
      service: ref.name,
      backends: [
        { service: ref.primaryService, weight: weight(100 - canaryWeight) },
        { service: ref.canaryService, weight: weight(canaryWeight) },
      ],
    },
  };
}

/** `existing` rewritten to `desired`'s version, label and spec, keeping everything else (resourceVersion included). */
export function rewritten(existing: TrafficSplit, desired: TrafficSplit): TrafficSplit {
  const metadata = { ...existing.metadata, labels: { ...existing.metadata.labels, ...desired.metadata.labels } };
  return { ...existing, apiVersion: desired.apiVersion, metadata, spec: { ...existing.spec, ...desired.spec } };
}
