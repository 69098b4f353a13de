// Reads what one reconcile needs and keeps the supporting objects in place (level-based:
// whatever is missing is created again, with an Event).
import type { V1Deployment } from '@kubernetes/client-node';
import type { CanaryState, Observation, WorkloadView } from '../core/state.ts';
import type { IntervalMeasurement } from '../core/types.ts';
import { readRequest, type RouteState } from '../ports.ts';
import { dueInterval, lookbackMs, lookMs } from '../core/schedule.ts';
import { FledgeError } from '../errors.ts';
import { pointApexAtPrimary } from './apex.ts';
import { foreignCopy, readChildren, routeKindOf, type Children } from './children.ts';
import type { AppContext } from './context.ts';
import { managedBy, managedByLabel, primaryCopyName, replicasAnnotation } from './names.ts';
import { appServices, ownerRef, primaryDeployment, primaryRevisionOf } from './objects.ts';
import { revisionOf, type TrackedContent } from './revision.ts';
import { clusterReader, readTrackedContents } from './target-revision.ts';
import { runOf } from './hook-payload.ts';
import { dropOtherRoute } from './other-route.ts';
import { prometheusTarget } from './prometheus-target.ts';
import { ensurePrimaryHpa, foreignHpas, hpaSize, readAutoscaling } from './autoscaler.ts';
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';

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
 * took it over (kept on the Canary, since the target is scaled to zero), else the target's. With
 * an HPA (the primary's, else the app's): the size it decided, within its bounds.
 */
function desiredReplicas(ctx: AppContext, primary: V1Deployment | null, hpa: V2HorizontalPodAutoscaler | null): number {
  const kept = Number(ctx.canary.metadata.annotations?.[replicasAnnotation]);
  const fallback = Number.isInteger(kept) && kept > 0 ? kept : ctx.target.spec?.replicas;
  const replicas = Math.max(1, primary?.spec?.replicas ?? fallback ?? 1);
  return hpa === null ? replicas : hpaSize(hpa, replicas);
}

/** Something Fledge keeps was missing after bootstrap: say so where people look. */
async function repaired(ctx: AppContext, message: string): Promise<void> {
  ctx.log.warn(message);
  await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Warning', reason: 'DriftRepaired', message });
}

async function ensureServices(ctx: AppContext, children: Children, bootstrapped: boolean): Promise<void> {
  const { cluster } = ctx.deps;
  const { names } = ctx;
  const wanted = appServices({ target: ctx.target, names, owner: ownerRef(ctx.canary), apex: children.apex });
  const existing = new Map([[names.app, children.apex], [names.primaryService, children.primaryService], [names.canaryService, children.canaryService]]);
  for (const service of wanted) {
    const name = service.metadata?.name ?? '';
    if ((existing.get(name) ?? null) !== null) continue;
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
async function ensurePrimary(ctx: AppContext, input: { state: CanaryState; revision: string; tracked: readonly TrackedContent[]; existing: V1Deployment | null; hpa: V2HorizontalPodAutoscaler | null }): Promise<V1Deployment | null> {
  const { cluster } = ctx.deps;
  if (input.existing !== null) return input.existing;
  const { state, revision } = input;
  const restorable = state.lastPromotedRevision === null || state.lastPromotedRevision === revision;
  if (!restorable) {
    await repaired(ctx, `Deployment ${ctx.names.primary} is missing and its revision ${state.lastPromotedRevision ?? ''} cannot be rebuilt during a release: promote or abort`);
    return null;
  }
  const created = await cluster.createDeployment(await primaryFromTarget(ctx, { revision, replicas: desiredReplicas(ctx, null, input.hpa), tracked: input.tracked }));
  if (state.phase !== 'Initializing') await repaired(ctx, `Deployment ${ctx.names.primary} was missing: recreated`);
  return created;
}

/** A copy someone else made under the `-primary` name is never overwritten (checked again at write time). */
async function refuseForeignCopy(ctx: AppContext, item: TrackedContent): Promise<void> {
  const foreign = await foreignCopy(ctx, item);
  if (foreign !== null) throw new FledgeError('FLEDGE_OBJECT_FOREIGN', `${foreign} exists and is not Fledge's: not overwritten`);
}

async function copyOne(ctx: AppContext, item: TrackedContent): Promise<void> {
  const { cluster } = ctx.deps;
  const { namespace } = ctx.names;
  await refuseForeignCopy(ctx, item);
  const metadata = { name: primaryCopyName(item.name), namespace, labels: { [managedByLabel]: managedBy }, ownerReferences: [ownerRef(ctx.canary)] };
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
}

/** What observe found: the world, or objects of someone else's under Fledge's names (then nothing was touched). */
export type Observed = { readonly kind: 'world'; readonly world: World } | { readonly kind: 'foreign'; readonly objects: readonly string[] };

/** The window that is due (one look, or a longer catch-up window on the same grid), measured; null when none is. */
async function measureDue(ctx: AppContext, state: CanaryState, now: number): Promise<IntervalMeasurement | null> {
  const due = dueInterval(state, ctx.config.policy, now);
  if (due === null) return null;
  const where = await prometheusTarget(ctx);
  if (where.kind === 'error') return { start: due.start, end: due.end, canary: { kind: 'error', message: where.message }, primary: { kind: 'error', message: where.message } };
  return ctx.deps.metrics.measure({
    namespace: ctx.names.namespace,
    canary: ctx.names.app,
    primary: ctx.names.primary,
    start: due.start,
    end: due.end,
    template: ctx.config.analysis,
    latencyEdgeMs: ctx.config.latencyEdgeMs,
    intervalMs: lookMs(ctx.config.policy),
    lookbackMs: lookbackMs(ctx.config.policy),
    ...(where.kind === 'target' ? { prometheus: where.target } : {}),
  });
}

/** The split's canary weight; null when there is none, or it was edited by hand (then it is written again). */
async function routedWeight(ctx: AppContext, route: RouteState): Promise<number | null> {
  if (route.kind !== 'routed') return null;
  if (route.exact) return route.canaryWeight;
  const what = ctx.config.router === 'gateway-api' ? 'its rules or parents differ from what Fledge wrote' : 'a backend missing or weights not summing to 100';
  await repaired(ctx, `${routeKindOf(ctx)} ${ctx.names.app} was edited (${what}): writing it again`);
  return null;
}

/** Why the implementation has not taken the route yet (with the key to look at for a Gateway); null when it has, or the router has no such notion. */
function notAccepted(ctx: AppContext, route: RouteState): string | null {
  if (route.kind !== 'routed' || route.acceptance === undefined || route.acceptance.accepted) return null;
  const gateway = ctx.config.route.gateway;
  const hint = gateway === null ? '' : ` (check fledge.dev/gateway: "${ctx.target.metadata?.annotations?.['fledge.dev/gateway'] ?? gateway.name}": the Gateway must exist and allow routes from namespace ${ctx.names.namespace})`;
  return `${route.acceptance.message}${hint}`;
}

/**
 * Reads the world into an Observation, measuring the interval that is due, after keeping the
 * supporting objects in place. Stops before any write when a child is someone else's.
 */
export async function observe(ctx: AppContext, state: CanaryState, now: number): Promise<Observed> {
  const tracked = await trackedContents(ctx);
  const targetRevision = revisionOf(ctx.target.spec?.template ?? {}, tracked);
  const [children, autoscaling] = await Promise.all([readChildren(ctx, tracked), readAutoscaling(ctx)]);
  const foreign = [...children.foreign, ...foreignHpas(autoscaling, ctx.canary.metadata.uid ?? '')];
  if (foreign.length > 0) return { kind: 'foreign', objects: foreign };
  await dropOtherRoute(ctx);
  // Services first: a refused Service must not leave a primary doubling the app's pods.
  await ensureServices(ctx, children, state.phase !== 'Initializing');
  const sizing = autoscaling.primary ?? autoscaling.app;
  const primary = await ensurePrimary(ctx, { state, revision: targetRevision, tracked, existing: children.primary, hpa: sizing });
  const hpa = await ensurePrimaryHpa(ctx, autoscaling, { promoting: state.phase === 'Promoting', primary });
  await pointApexAtPrimary(ctx, { apex: children.apex, primaryReady: (primary?.status?.readyReplicas ?? 0) > 0 });
  const observation: Observation = {
    targetRevision,
    target: viewOf(ctx.target),
    primary: primary === null ? null : viewOf(primary),
    primaryRevision: primaryRevisionOf(primary),
    desiredReplicas: desiredReplicas(ctx, primary, hpa),
    autoscaled: hpa !== null,
    routedCanaryWeight: await routedWeight(ctx, children.route),
    routeNotAccepted: notAccepted(ctx, children.route),
    request: readRequest(ctx.canary),
    interval: await measureDue(ctx, state, now),
    hooks: ctx.deps.hooks.results(`${ctx.names.namespace}/${ctx.names.app}`, runOf(state)),
  };
  return { kind: 'world', world: { observation, primary, tracked } };
}
