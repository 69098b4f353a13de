// What a Gateway API HTTPRoute (gateway.networking.k8s.io) means to Fledge, as pure functions
// shared by the router over the API (gateway-router.ts) and the in-memory one: whose it is, what
// it routes, the route Fledge writes and whether an implementation accepted it. Ownership is the
// TrafficSplit's (label and owner reference, see smi-split.ts). Weights are relative: Fledge
// writes integers summing to 100 and reads any as percentages.
import { isDeepStrictEqual as jsonEqual } from 'node:util';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { FledgeError } from '../errors.ts';
import type { RouteRef, RouteShape, RouteState } from '../ports.ts';
import { acceptanceOf } from './http-route-status.ts';
import { abRules, backendPort, isMatchRule, weightRule } from './http-route-rules.ts';
import { foreignOwner, isManaged, managedByLabel, managedByValue } from './smi-split.ts';

export const gatewayGroup = 'gateway.networking.k8s.io';
export const routePlural = 'httproutes';
/** On a route in A/B mode: the canary weight (checkpoint) Fledge last wrote; the rules only say whether the match is on. */
export const checkpointAnnotation = 'fledge.dev/checkpoint-weight';

/** An HTTPRoute as stored; one edited by hand may lack any part of its spec. */
export interface HttpRoute {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec?: { parentRefs?: unknown; hostnames?: unknown; rules?: unknown; [key: string]: unknown };
  status?: { parents?: unknown };
}

export { isManaged };

/** FLEDGE_ROUTE_FOREIGN: the route of that name is someone else's. */
export function foreignRoute(route: HttpRoute, ref: RouteRef): FledgeError {
  return new FledgeError('FLEDGE_ROUTE_FOREIGN',
    `HTTPRoute ${ref.namespace}/${ref.name} exists and is managed by ${foreignOwner(route)}, not Fledge; remove it or rename the app`);
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

function parentRefsOf(shape: RouteShape, ref: RouteRef): Record<string, unknown>[] {
  const { gateway } = shape;
  if (gateway === null) return shape.ports.map((port) => ({ group: '', kind: 'Service', name: ref.name, port }));
  return [{
    group: gatewayGroup, kind: 'Gateway', name: gateway.name,
    ...(gateway.namespace === null ? {} : { namespace: gateway.namespace }),
    ...(gateway.sectionName === null ? {} : { sectionName: gateway.sectionName }),
  }];
}

/** The spec Fledge writes for `canaryWeight` with `shape`. */
function specFor(ref: RouteRef, shape: RouteShape, canaryWeight: number): NonNullable<HttpRoute['spec']> {
  const port = shape.ports[0] ?? 80;
  const rules = shape.match.length === 0 ? [weightRule(ref, port, canaryWeight)] : abRules(ref, { port, match: shape.match, canaryWeight });
  const hostnames = shape.gateway !== null && shape.hostnames.length > 0 ? { hostnames: [...shape.hostnames] } : {};
  return { parentRefs: parentRefsOf(shape, ref), ...hostnames, rules };
}

/** The shape a stored route has (used when the caller gives none, as `fledge abort` on a held release does). */
function shapeOfStored(route: HttpRoute): RouteShape {
  const parents = records(route.spec?.parentRefs);
  const gatewayRef = parents.find((p) => p['kind'] === 'Gateway');
  const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const gateway = gatewayRef === undefined ? null : { name: str(gatewayRef['name']) ?? '', namespace: str(gatewayRef['namespace']), sectionName: str(gatewayRef['sectionName']) };
  const ports = parents.flatMap((p) => (typeof p['port'] === 'number' ? [p['port']] : []));
  const port = backendPort(records(route.spec?.rules));
  const hostnames = Array.isArray(route.spec?.hostnames) ? route.spec.hostnames.filter((h): h is string => typeof h === 'string') : [];
  return { ports: port === null ? (ports.length > 0 ? ports : [80]) : [port, ...ports.filter((p) => p !== port)], gateway, hostnames, match: [] };
}

function shapeFor(ref: RouteRef, stored: HttpRoute | null): RouteShape {
  if (ref.shape !== undefined) return ref.shape;
  if (stored !== null) return shapeOfStored(stored);
  throw new FledgeError('FLEDGE_CONFIG_INVALID', `HTTPRoute ${ref.namespace}/${ref.name}: no ports to route to (the apex Service is unknown)`);
}

function weightOf(route: HttpRoute, service: string, rule: (r: Record<string, unknown>) => boolean): number {
  const refs = records(route.spec?.rules).filter(rule).flatMap((r) => records(r['backendRefs']));
  return refs.filter((b) => b['name'] === service).reduce((sum, b) => sum + (typeof b['weight'] === 'number' ? Math.max(0, b['weight']) : 1), 0);
}

/** Percentages summing to 100 of what the rules without a request match send (0/0 when they send nothing). */
function readWeights(route: HttpRoute, ref: RouteRef): { canaryWeight: number; primaryWeight: number } {
  const unmatched = (r: Record<string, unknown>): boolean => !isMatchRule(r);
  const canary = weightOf(route, ref.canaryService, unmatched);
  const primary = weightOf(route, ref.primaryService, unmatched);
  if (canary + primary <= 0) return { canaryWeight: 0, primaryWeight: 0 };
  const canaryWeight = Math.round((100 * canary) / (canary + primary));
  return { canaryWeight, primaryWeight: 100 - canaryWeight };
}

/** The weight the route stands for: its A/B checkpoint when it has one, else what its rules split. */
function routedWeight(route: HttpRoute, ref: RouteRef): { canaryWeight: number; primaryWeight: number } {
  const checkpoint = Number(route.metadata.annotations?.[checkpointAnnotation]);
  const ab = (ref.shape?.match.length ?? 0) > 0 && Number.isInteger(checkpoint) && checkpoint >= 0 && checkpoint <= 100;
  return ab ? { canaryWeight: checkpoint, primaryWeight: 100 - checkpoint } : readWeights(route, ref);
}

/** The route says exactly what Fledge would write for `canaryWeight`. */
function isExactAt(route: HttpRoute, ref: RouteRef, canaryWeight: number): boolean {
  const desired = specFor(ref, shapeFor(ref, route), canaryWeight);
  const spec = route.spec ?? {};
  const same = jsonEqual(spec.parentRefs, desired.parentRefs) && jsonEqual(spec.hostnames, desired.hostnames) && jsonEqual(spec.rules, desired.rules);
  const ab = (ref.shape?.match.length ?? 0) > 0;
  return same && (!ab || route.metadata.annotations?.[checkpointAnnotation] === String(canaryWeight));
}

/** What the router reports for the route of that name (null: none). */
export function routeStateOf(route: HttpRoute | null, ref: RouteRef): RouteState {
  if (route === null) return { kind: 'missing' };
  if (!isManaged(route, ref)) return { kind: 'foreign', owner: foreignOwner(route) };
  const weights = routedWeight(route, ref);
  return { kind: 'routed', ...weights, exact: isExactAt(route, ref, weights.canaryWeight), acceptance: acceptanceOf(route, ref) };
}

/** The route already says exactly this weight: writing it again would change nothing. */
export function isWritten(route: HttpRoute, ref: RouteRef, canaryWeight: number): boolean {
  return isExactAt(route, ref, canaryWeight);
}

/** The route Fledge writes for `ref` (`stored`: the route there now, for its shape when `ref` has none). */
export function routeFor(ref: RouteRef, canaryWeight: number, stored: HttpRoute | null): HttpRoute {
  const shape = shapeFor(ref, stored);
  const ab = shape.match.length > 0;
  return {
    apiVersion: `${gatewayGroup}/v1`,
    kind: 'HTTPRoute',
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { [managedByLabel]: managedByValue },
      ...(ab ? { annotations: { [checkpointAnnotation]: String(canaryWeight) } } : {}),
      ...(ref.owner === undefined ? {} : { ownerReferences: [{ ...ref.owner, controller: true }] }),
    },
    spec: specFor(ref, shape, canaryWeight),
  };
}

/** `existing` rewritten to `desired`'s labels, annotations and routing, keeping everything else (resourceVersion included). */
export function rewritten(existing: HttpRoute, desired: HttpRoute): HttpRoute {
  const annotations = { ...existing.metadata.annotations, ...desired.metadata.annotations };
  if (desired.metadata.annotations?.[checkpointAnnotation] === undefined) delete annotations[checkpointAnnotation];
  const metadata = { ...existing.metadata, labels: { ...existing.metadata.labels, ...desired.metadata.labels }, annotations };
  const { hostnames: _dropped, ...kept } = existing.spec ?? {};
  return { ...existing, apiVersion: desired.apiVersion, metadata, spec: { ...kept, ...desired.spec } };
}
