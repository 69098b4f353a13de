// What Fledge keeps beside an app, read once per reconcile, and which of it belongs to someone
// else. Nothing here writes: a reconcile that finds a stranger under one of Fledge's names
// stops before it creates or changes anything (see ownership.ts).
import type { V1Deployment, V1ObjectMeta, V1Service } from '@kubernetes/client-node';
import type { RouteState } from '../ports.ts';
import type { AppContext } from './context.ts';
import { primaryCopyName } from './names.ts';
import { foreignText, ownedBy, ownedByACanary } from './ownership.ts';
import type { TrackedContent } from './revision.ts';

export interface Children {
  readonly primary: V1Deployment | null;
  /** The apex Service `<app>`: the user's or Fledge's; one a Canary owns is reported as foreign (see apex.ts). */
  readonly apex: V1Service | null;
  readonly primaryService: V1Service | null;
  readonly canaryService: V1Service | null;
  readonly route: RouteState;
  /** Objects under Fledge's names that its Canary does not own, as `Kind name (owner: …)`; empty when all is well. */
  readonly foreign: readonly string[];
}

/** A tracked object's `-primary` copy described as someone else's (`Kind name (owner: …)`), or null when it is missing or Fledge's. */
export async function foreignCopy(ctx: AppContext, item: TrackedContent): Promise<string | null> {
  const { cluster } = ctx.deps;
  const name = primaryCopyName(item.name);
  const copy = item.kind === 'ConfigMap' ? await cluster.getConfigMap(ctx.names.namespace, name) : await cluster.getSecret(ctx.names.namespace, name);
  if (copy === null || ownedBy(copy.metadata, ctx.canary.metadata.uid ?? '')) return null;
  return foreignText(item.kind, copy.metadata ?? { name });
}

/** `-primary` copies of tracked objects that exist and are someone else's. */
async function foreignCopies(ctx: AppContext, tracked: readonly TrackedContent[]): Promise<string[]> {
  const copies = await Promise.all(tracked.filter((item) => item.data !== null).map((item) => foreignCopy(ctx, item)));
  return copies.filter((copy): copy is string => copy !== null);
}

function foreignOwned(uid: string, objects: ReadonlyArray<{ kind: string; object: { metadata?: V1ObjectMeta } | null }>): string[] {
  return objects.flatMap(({ kind, object }) => (object === null || ownedBy(object.metadata, uid) ? [] : [foreignText(kind, object.metadata)]));
}

/** The kind of object the app's router writes, for messages. */
export function routeKindOf(ctx: AppContext): string {
  return ctx.config.router === 'gateway-api' ? 'HTTPRoute' : 'TrafficSplit';
}

/** Reads the app's children and names every one that is not Fledge's. */
export async function readChildren(ctx: AppContext, tracked: readonly TrackedContent[]): Promise<Children> {
  const { cluster } = ctx.deps;
  const { namespace, app, primary: primaryName, primaryService: primaryServiceName, canaryService: canaryServiceName } = ctx.names;
  const [primary, apex, primaryService, canaryService, route, copies] = await Promise.all([
    cluster.getDeployment(namespace, primaryName),
    cluster.getService(namespace, app),
    cluster.getService(namespace, primaryServiceName),
    cluster.getService(namespace, canaryServiceName),
    ctx.router.read(ctx.route),
    foreignCopies(ctx, tracked),
  ]);
  const uid = ctx.canary.metadata.uid ?? '';
  const owned = foreignOwned(uid, [
    { kind: 'Deployment', object: primary },
    { kind: 'Service', object: primaryService },
    { kind: 'Service', object: canaryService },
  ]);
  const split = route.kind === 'foreign' ? [`${routeKindOf(ctx)} ${app} (owner: ${route.owner})`] : [];
  // Fledge never owns an apex; one a Canary owns is another app's backend (apps `shop` and `shop-canary`).
  const apexTaken = apex !== null && ownedByACanary(apex.metadata) ? [foreignText('Service', apex.metadata)] : [];
  return { primary, apex, primaryService, canaryService, route, foreign: [...owned, ...apexTaken, ...split, ...copies] };
}
