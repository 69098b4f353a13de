// Which watch events are changes made outside the controller. Its own writes (status, scale,
// the primary, Services, splits) raise watch events too; only a new pod template or new
// annotations on an app, or a user's change to its Canary, go to the queue's urgent lane.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { jsonEqual } from '../core/json-equal.ts';
import { canaryAnnotation, keyOf } from './names.ts';
import type { WatchEvent } from './watch.ts';

interface Seen {
  readonly template: unknown;
  readonly annotations: unknown;
}

/**
 * True for an annotated Deployment that is new, or whose pod template or annotations changed
 * (the controller only scales an app, which changes neither). Keeps references to the objects
 * the cache holds anyway, not copies.
 */
export function outsideDeploymentChange(): (object: KubernetesObject, event: WatchEvent) => boolean {
  const seen = new Map<string, Seen>();
  return (object, event) => {
    const deployment = object as V1Deployment;
    const key = keyOf(object);
    if (event === 'delete' || deployment.metadata?.annotations?.[canaryAnnotation] === undefined) {
      seen.delete(key);
      return false;
    }
    if (event === 'resync') return false;
    const now: Seen = { template: deployment.spec?.template, annotations: deployment.metadata.annotations };
    const before = seen.get(key);
    seen.set(key, now);
    if (before === undefined) return true;
    return !jsonEqual(before.template, now.template) || !jsonEqual(before.annotations, now.annotations);
  };
}

/** What a Canary change by someone changes: generation, annotations, deletion. */
function markOf(object: KubernetesObject): string {
  const meta = object.metadata;
  return JSON.stringify([meta?.generation, meta?.annotations ?? {}, meta?.deletionTimestamp ?? null]);
}

/**
 * Canary events that need a reconcile (`keysOf`): new, deleted, resynced, or changed by someone
 * (annotations carry `fledge promote` & co.; spec changes bump the generation). The controller's
 * own status writes change neither, so they never wake the app again (no write → event →
 * write loop). `urgent`, asked after keysOf for the same event: that event was someone's change.
 */
export function canaryChanges(): { keysOf: (object: KubernetesObject, event: WatchEvent) => string[]; urgent: () => boolean } {
  const seen = new Map<string, string>();
  let changedBySomeone = false;
  const keysOf = (object: KubernetesObject, event: WatchEvent): string[] => {
    const key = keyOf(object);
    const mark = markOf(object);
    if (event === 'delete') seen.delete(key);
    const unchanged = event === 'update' && seen.get(key) === mark;
    changedBySomeone = event === 'update' && !unchanged;
    if (event !== 'delete') seen.set(key, mark);
    return unchanged ? [] : [key];
  };
  return { keysOf, urgent: () => changedBySomeone };
}

/**
 * Route object (TrafficSplit) events that need a reconcile (`keysOf`): an edit or deletion by
 * someone (`urgent`: repaired at once), a new object, a resync. The echo of the router's own write
 * wakes nothing: the reconcile that wrote it has already scheduled what comes next, and one
 * reconcile per app and step for nothing is a fifth of the work at thousands of apps.
 */
export function routeChanges(
  outsideChange: (object: KubernetesObject, event: WatchEvent) => boolean,
  appsOf: (object: KubernetesObject) => readonly string[],
): { keysOf: (object: KubernetesObject, event: WatchEvent) => readonly string[]; urgent: () => boolean } {
  let someone = false;
  const keysOf = (object: KubernetesObject, event: WatchEvent): readonly string[] => {
    someone = outsideChange(object, event);
    return event === 'resync' || someone ? appsOf(object) : [];
  };
  return { keysOf, urgent: () => someone };
}
