// Reads what one reconcile needs and keeps the supporting objects in place (level-based:
// whatever is missing is created again, with an Event).
import type { V1Deployment } from '@kubernetes/client-node';
import type { CanaryState, Observation, WorkloadView } from '../core/state.ts';
import { dueInterval } from '../core/schedule.ts';
import { readRequest } from '../adapters/kube/canary-resource.ts';
import type { AppContext } from './context.ts';
import { primaryCopyName, replicasAnnotation } from './names.ts';
import { appServices, ownerRef, primaryDeployment, primaryRevisionOf } from './objects.ts';
import { revisionOf, type TrackedContent } from './revision.ts';
import { clusterReader, readTrackedContents } from './target-revision.ts';

function stalledOf(deployment: V1Deployment): boolean {
  const conditions = deployment.status?.conditions ?? [];
  return conditions.some((c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded');
}

function rolledOutOf(deployment: V1Deployment, replicas: number): boolean {
  const status = deployment.status ?? {};
  const current = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  return current && (status.updatedReplicas ?? 0) >= replicas && (status.replicas ?? 0) <= replicas;
}

export function viewOf(deployment: V1Deployment): WorkloadView {
  const replicas = deployment.spec?.replicas ?? 1;
  return {
    replicas,
    readyReplicas: deployment.status?.readyReplicas ?? 0,
    rolledOut: rolledOutOf(deployment, replicas),
    stalled: stalledOf(deployment),
  };
}

/** Contents of the tracked ConfigMaps/Secrets, for the revision and for copying on promotion. */
export function trackedContents(ctx: AppContext): Promise<TrackedContent[]> {
  return readTrackedContents(ctx.target, { track: ctx.config.track, read: clusterReader(ctx.deps.cluster) });
}

export function renamesOf(tracked: readonly TrackedContent[]): Map<string, string> {
  return new Map(tracked.filter((t) => t.data !== null).map((t) => [`${t.kind}/${t.name}`, primaryCopyName(t.name)]));
}

/**
 * Replicas for full traffic: the primary's; without a primary, the count the app had when Fledge
 * took it over (kept on the Canary, since the target is scaled to zero), else the target's.
 */
function desiredReplicas(ctx: AppContext, primary: V1Deployment | null): number {
  const kept = Number(ctx.canary.metadata.annotations?.[replicasAnnotation]);
  const fallback = Number.isInteger(kept) && kept > 0 ? kept : ctx.target.spec?.replicas;
  return Math.max(1, primary?.spec?.replicas ?? fallback ?? 1);
}

/** Something Fledge keeps was missing after bootstrap: say so where people look. */
async function repaired(ctx: AppContext, message: string): Promise<void> {
  ctx.log.warn(message);
  await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Warning', reason: 'DriftRepaired', message });
}

async function ensureServices(ctx: AppContext, bootstrapped: boolean): Promise<void> {
  const { cluster } = ctx.deps;
  const { namespace } = ctx.names;
  const apex = await cluster.getService(namespace, ctx.names.app);
  const wanted = appServices({ target: ctx.target, names: ctx.names, owner: ownerRef(ctx.canary), apex });
  for (const service of wanted) {
    const name = service.metadata?.name ?? '';
    if ((await cluster.getService(namespace, name)) !== null) continue;
    await cluster.createService(service);
    if (bootstrapped) await repaired(ctx, `Service ${name} was missing: recreated`);
  }
}

/** The primary as a copy of the target at `revision`, after copying its tracked ConfigMaps/Secrets. */
export async function primaryFromTarget(ctx: AppContext, input: { revision: string; replicas: number; tracked: readonly TrackedContent[] }): Promise<V1Deployment> {
  await copyTracked(ctx, input.tracked);
  return primaryDeployment({
    target: ctx.target,
    names: ctx.names,
    owner: ownerRef(ctx.canary),
    revision: input.revision,
    replicas: input.replicas,
    renames: renamesOf(input.tracked),
  });
}

/**
 * Creates the primary from the target when it is missing and the target still runs the
 * promoted revision (or nothing was promoted yet). Returns the primary, or null.
 */
async function ensurePrimary(ctx: AppContext, input: { state: CanaryState; revision: string; tracked: readonly TrackedContent[] }): Promise<V1Deployment | null> {
  const { cluster } = ctx.deps;
  const existing = await cluster.getDeployment(ctx.names.namespace, ctx.names.primary);
  if (existing !== null) return existing;
  const { state, revision } = input;
  const restorable = state.lastPromotedRevision === null || state.lastPromotedRevision === revision;
  if (!restorable) {
    await repaired(ctx, `Deployment ${ctx.names.primary} is missing and its revision ${state.lastPromotedRevision ?? ''} cannot be rebuilt during a release: promote or abort`);
    return null;
  }
  const created = await cluster.createDeployment(await primaryFromTarget(ctx, { revision, replicas: desiredReplicas(ctx, null), tracked: input.tracked }));
  if (state.phase !== 'Initializing') await repaired(ctx, `Deployment ${ctx.names.primary} was missing: recreated`);
  return created;
}

async function copyOne(ctx: AppContext, item: TrackedContent): Promise<void> {
  const { cluster } = ctx.deps;
  const { namespace } = ctx.names;
  const metadata = { name: primaryCopyName(item.name), namespace, ownerReferences: [ownerRef(ctx.canary)] };
  if (item.kind === 'ConfigMap') {
    const source = await cluster.getConfigMap(namespace, item.name);
    await cluster.applyConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data: source?.data ?? {}, binaryData: source?.binaryData ?? {} });
    return;
  }
  const source = await cluster.getSecret(namespace, item.name);
  await cluster.applySecret({ apiVersion: 'v1', kind: 'Secret', metadata, type: source?.type ?? 'Opaque', data: source?.data ?? {} });
}

/** Copies tracked ConfigMaps/Secrets to their `-primary` names. */
export async function copyTracked(ctx: AppContext, tracked: readonly TrackedContent[]): Promise<void> {
  for (const item of tracked) if (item.data !== null) await copyOne(ctx, item);
}

export interface World {
  readonly observation: Observation;
  readonly primary: V1Deployment | null;
  readonly tracked: readonly TrackedContent[];
  /** The split exists and is not Fledge's: nothing may be routed. */
  readonly foreignRoute: string | null;
}

/** Reads the world into an Observation, measuring the interval that is due. */
export async function observe(ctx: AppContext, state: CanaryState, now: number): Promise<World> {
  const tracked = await trackedContents(ctx);
  const targetRevision = revisionOf(ctx.target.spec?.template ?? {}, tracked);
  const primary = await ensurePrimary(ctx, { state, revision: targetRevision, tracked });
  await ensureServices(ctx, state.phase !== 'Initializing');
  const route = await ctx.router.read(ctx.route);
  // A split edited by hand (a backend missing, weights not summing to 100) reads as unknown: it is written again.
  const drifted = route.kind === 'routed' && !route.exact;
  if (drifted) await repaired(ctx, `TrafficSplit ${ctx.names.app} was edited (a backend missing or weights not summing to 100): writing it again`);
  const due = dueInterval(state, ctx.config.policy, now);
  const interval = due === null ? null : await ctx.deps.metrics.measure({
    namespace: ctx.names.namespace,
    canary: ctx.names.app,
    primary: ctx.names.primary,
    start: due.start,
    end: due.end,
    template: ctx.config.analysis,
    latencyEdgeMs: ctx.config.latencyEdgeMs,
  });
  const observation: Observation = {
    targetRevision,
    target: viewOf(ctx.target),
    primary: primary === null ? null : viewOf(primary),
    primaryRevision: primaryRevisionOf(primary),
    desiredReplicas: desiredReplicas(ctx, primary),
    routedCanaryWeight: route.kind === 'routed' && route.exact ? route.canaryWeight : null,
    request: readRequest(ctx.canary),
    interval,
  };
  return { observation, primary, tracked, foreignRoute: route.kind === 'foreign' ? route.owner : null };
}
