// What the watch caches keep of each object (controller-runtime's TransformFunc): applied once,
// as an object enters a cache, so thousands of cached objects hold only what reconcile reads.
// Every shape is plain data (no client model classes) and keeps the full metadata except
// managedFields, so ownership checks, resourceVersions and annotations read as before. Shapes are
// built property by property from an empty literal, not spread: V8 gives spread copies of objects
// of many shapes a map each (about 240 bytes), and objects added to in the same order share one.
import type { KubernetesObject, V1Deployment, V1DeploymentSpec, V1DeploymentStatus, V1ObjectMeta, V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import { canaryWith, carriesSent, parseCanary, type CanaryObject } from '../ports.ts';
import { canaryAnnotation } from './names.ts';
import { ownedByACanary } from './ownership.ts';
import { Interner } from './intern.ts';

/** One copy of each string the cached objects repeat (intern.ts). */
const interner = new Interner();

/** An object's kept metadata: everything but managedFields (the API server's bookkeeping, often the larger part of an object). */
export function keptMetadata(meta: V1ObjectMeta | undefined): V1ObjectMeta {
  if (meta === undefined) return {};
  const { managedFields: _managedFields, ...rest } = meta;
  return rest;
}

/**
 * A Deployment as reconcile reads it. An annotated one (an app) keeps its spec: its pod template
 * is the revision and is copied to the primary. Any other (a primary, or a Deployment Fledge does
 * not manage) keeps metadata, replicas, selector, its pod template's annotations (the primary's
 * revision) and status (conditions without their messages and times): enough for readiness,
 * ownership, hand-back, the progress deadline and the revision a primary runs. Nothing writes a
 * Deployment built from a cached primary (promotion copies the target).
 */
export function cachedDeployment(object: KubernetesObject): V1Deployment {
  return interner.object(deploymentShape(object as V1Deployment));
}

/** A Deployment's status with its conditions' type, status and reason only (their messages and times are the larger part, and nothing reads them). */
function keptStatus(status: V1DeploymentStatus): V1DeploymentStatus {
  if (status.conditions === undefined) return status;
  const kept: V1DeploymentStatus = {};
  for (const [key, value] of Object.entries(status)) (kept as Record<string, unknown>)[key] = value;
  kept.conditions = status.conditions.map(({ type, status: holds, reason }) => (reason === undefined ? { type, status: holds } : { type, status: holds, reason }));
  return kept;
}

/** A primary's (or another Deployment's) spec: replicas, selector and its pod template's annotations. */
function keptSpec(spec: V1DeploymentSpec): V1DeploymentSpec {
  const annotations = spec.template.metadata?.annotations;
  const kept: V1DeploymentSpec = { selector: spec.selector, template: annotations === undefined ? {} : { metadata: { annotations } } };
  if (spec.replicas !== undefined) kept.replicas = spec.replicas;
  return kept;
}

function deploymentShape(deployment: V1Deployment): V1Deployment {
  const metadata = keptMetadata(deployment.metadata);
  const shaped: V1Deployment = { apiVersion: deployment.apiVersion ?? 'apps/v1', kind: deployment.kind ?? 'Deployment', metadata };
  const spec = deployment.spec;
  if (spec !== undefined) shaped.spec = metadata.annotations?.[canaryAnnotation] !== undefined ? spec : keptSpec(spec);
  if (deployment.status !== undefined) shaped.status = keptStatus(deployment.status);
  return shaped;
}

/** Canaries already validated as they entered a cache (or came back from a write): not parsed again. */
const validated = new WeakSet<object>();

/**
 * Canaries this process wrote, by namespace/name, until their watch event arrives: the event of
 * the same resourceVersion is the same object, so it enters the cache without being parsed again
 * (a status write's echo is the most common event). Held weakly: an echo that came before the
 * write's answer never asks for its entry, and a Canary's whole status is not kept alive for it
 * (the read overlay holds a written object until the cache shows it). At most this many keys.
 */
const written = new Map<string, WeakRef<CanaryObject>>();
const writtenKept = 10_000;

function nameKey(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * Canaries being written, by namespace/name, from the request until its answer: the watch event
 * of a write often arrives before the write's answer, and when it carries the spec and status
 * that were sent it is that Canary at the event's version (carriesSent, as for an answer).
 */
const sending = new Map<string, CanaryObject>();

/** `canary` is being written (its spec and status already validated); call the result once the write has answered or failed. */
export function sendingCanary(canary: CanaryObject): () => void {
  const key = nameKey(canary);
  sending.set(key, canary);
  return () => {
    if (sending.get(key) === canary) sending.delete(key);
  };
}

/** A validated Canary as the cache keeps it. */
function kept(canary: CanaryObject): CanaryObject {
  const shaped = interner.object(canary);
  validated.add(shaped);
  return shaped;
}

/** A Canary validated once, when it enters a cache; reads then hand out that object. */
export function cachedCanary(object: KubernetesObject): CanaryObject {
  if (validated.has(object)) return object as CanaryObject;
  const key = nameKey(object);
  const mine = written.get(key)?.deref();
  written.delete(key);
  if (mine !== undefined && mine.metadata.resourceVersion === object.metadata?.resourceVersion) {
    return kept(mine.metadata.managedFields === undefined ? mine : canaryWith(mine, { metadata: keptMetadata(mine.metadata) }));
  }
  const sent = sending.get(key);
  if (sent !== undefined && carriesSent(sent, object)) return kept(canaryWith(sent, { metadata: keptMetadata(object.metadata) }));
  return kept(parseCanary({ ...object, metadata: keptMetadata(object.metadata) }));
}

/** A Canary that ClusterObjects returned (validated by contract): neither reading it from the overlay nor its watch event parses it again. */
export function validatedCanary(canary: CanaryObject): CanaryObject {
  validated.add(canary);
  const key = nameKey(canary);
  written.delete(key);
  written.set(key, new WeakRef(canary));
  if (written.size > writtenKept) written.delete(written.keys().next().value as string);
  return canary;
}

/** Any other kind: the object without managedFields. */
export function cachedObject(object: KubernetesObject): KubernetesObject {
  return interner.object({ ...object, metadata: keptMetadata(object.metadata) });
}

/**
 * A Service as reconcile reads it. A backend Fledge owns keeps its metadata, selector and ports:
 * reconcile only checks that it exists and whose it is (it recreates a missing one and never
 * rewrites one), so its cluster IPs, IP families, policies and status are not kept (a third of
 * every cached Service, and two of every app's three). Any other Service (the apex, which Fledge
 * rewrites whole, or someone else's) is kept as it is, without managedFields; an apex a Canary
 * owns is another app's backend, reported and never written (children.ts).
 */
export function cachedService(object: KubernetesObject): KubernetesObject {
  const service = object as V1Service;
  if (!ownedByACanary(service.metadata)) return cachedObject(object);
  const spec = service.spec ?? {};
  const keptSpec: V1ServiceSpec = {};
  if (spec.selector !== undefined) keptSpec.selector = spec.selector;
  if (spec.ports !== undefined) keptSpec.ports = spec.ports;
  return interner.object({ apiVersion: service.apiVersion ?? 'v1', kind: service.kind ?? 'Service', metadata: keptMetadata(service.metadata), spec: keptSpec });
}
