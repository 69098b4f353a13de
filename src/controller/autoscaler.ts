// Autoscaled apps: an autoscaling/v2 HPA that scales the app's Deployment. Fledge gives the
// primary an HPA of its own (`<app>-primary`: the same spec, scaleTargetRef renamed, owned by the
// Canary, drift-repaired) and leaves the app's HPA as it is: between releases the app runs at
// zero replicas, and Kubernetes' HPA controller does not scale a target that is at zero (scaling
// to and from zero is off unless the HPAScaleToZero feature gate is on), so the app's HPA cannot
// scale the idle app up. During a run it scales the canary under its share of the load.
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { AppContext } from './context.ts';
import { jsonEqual } from '../core/json-equal.ts';
import { managedBy, managedByLabel, type AppNames } from './names.ts';
import { ownerRef } from './objects.ts';
import { foreignText, ownedBy } from './ownership.ts';

export interface Autoscaling {
  /** The HPA whose scaleTargetRef is the app's Deployment (the user's); null without one. */
  readonly app: V2HorizontalPodAutoscaler | null;
  /** `<app>-primary`'s HPA, when it exists (its ownership is checked with the other children). */
  readonly primary: V2HorizontalPodAutoscaler | null;
}

function targets(hpa: V2HorizontalPodAutoscaler, name: string): boolean {
  const ref = hpa.spec?.scaleTargetRef;
  return ref?.kind === 'Deployment' && ref.name === name && (ref.apiVersion ?? 'apps/v1').startsWith('apps/');
}

/** The app's HPA (the first by name when several target it) and the primary's. */
export async function readAutoscaling(ctx: AppContext): Promise<Autoscaling> {
  const { cluster } = ctx.deps;
  const { namespace, app, primary } = ctx.names;
  const [all, primaryHpa] = await Promise.all([cluster.listHpas(namespace), cluster.getHpa(namespace, primary)]);
  const own = all.filter((hpa) => targets(hpa, app)).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  return { app: own[0] ?? null, primary: primaryHpa };
}

/** `<app>-primary`'s HPA when it is someone else's (never changed: reported, and nothing is done for the app). */
export function foreignHpas(found: Autoscaling, uid: string): string[] {
  const hpa = found.primary;
  return hpa === null || ownedBy(hpa.metadata, uid) ? [] : [foreignText('HorizontalPodAutoscaler', hpa.metadata)];
}

function replicasOf(deployment: V1Deployment | null): number {
  return deployment?.spec?.replicas ?? 0;
}

/** On the primary's HPA during a promotion: the minReplicas Fledge raised it to (see promotionFloor). */
export const promotionFloorAnnotation = 'fledge.dev/promotion-floor';

function floorOf(hpa: V2HorizontalPodAutoscaler | null): number | null {
  const floor = Number(hpa?.metadata?.annotations?.[promotionFloorAnnotation]);
  return Number.isInteger(floor) && floor > 0 ? floor : null;
}

/**
 * While a promotion waits for the primary, its HPA has seen only the primary's share of the
 * traffic; after the cut-over the primary carries all of it. So for the promotion the primary's
 * HPA gets a floor: minReplicas raised to the pods serving the app when it began (primary and
 * canary together, at most maxReplicas), kept on the HPA in an annotation until the promotion
 * ends. The HPA itself then scales the primary up before the cut-over, and nothing fights it.
 */
export function promotionFloor(input: { found: Autoscaling; promoting: boolean; primary: V1Deployment | null; target: V1Deployment }): number | null {
  const { found } = input;
  if (!input.promoting || found.app === null) return null;
  const serving = replicasOf(input.primary) + replicasOf(input.target);
  const max = found.app.spec?.maxReplicas ?? serving;
  return floorOf(found.primary) ?? Math.min(max, Math.max(1, serving));
}

/** `<app>-primary`'s HPA: the app's spec aimed at the primary, owned by the Canary, with a promotion's floor when given. */
export function primaryHpa(input: { app: V2HorizontalPodAutoscaler; names: AppNames; owner: ReturnType<typeof ownerRef>; floor?: number | null }): V2HorizontalPodAutoscaler {
  const { app, names } = input;
  const spec = app.spec ?? { maxReplicas: 1, scaleTargetRef: { kind: 'Deployment', name: names.app } };
  const floor = input.floor ?? null;
  const minReplicas = floor === null ? spec.minReplicas : Math.max(spec.minReplicas ?? 1, floor);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: names.primary,
      namespace: names.namespace,
      labels: { ...app.metadata?.labels, [managedByLabel]: managedBy },
      ...(floor === null ? {} : { annotations: { [promotionFloorAnnotation]: String(floor) } }),
      ownerReferences: [input.owner],
    },
    spec: { ...spec, scaleTargetRef: { ...spec.scaleTargetRef, name: names.primary }, ...(minReplicas === undefined ? {} : { minReplicas }) },
  };
}

/**
 * The size an HPA gives its target: what it last decided (desiredReplicas, else currentReplicas,
 * else `fallback` for an HPA that has not acted yet), within its minReplicas and maxReplicas.
 */
export function hpaSize(hpa: V2HorizontalPodAutoscaler, fallback: number): number {
  const status = hpa.status;
  const decided = [status?.desiredReplicas, status?.currentReplicas].find((n): n is number => typeof n === 'number' && n > 0) ?? fallback;
  const min = Math.max(1, hpa.spec?.minReplicas ?? 1);
  const max = Math.max(min, hpa.spec?.maxReplicas ?? decided);
  return Math.min(max, Math.max(min, decided));
}

/** Says why the primary's HPA is written again: a promotion's floor set or lifted (a log line), or a difference (an Event). */
async function explainRewrite(ctx: AppContext, input: { found: V2HorizontalPodAutoscaler; app: V2HorizontalPodAutoscaler; floor: number | null }): Promise<void> {
  const before = floorOf(input.found);
  if (before !== input.floor) {
    ctx.log.info({ floor: input.floor, before }, input.floor === null ? 'promotion over: primary HPA back to the app\'s spec' : `promotion: primary HPA minReplicas raised to ${input.floor} for the full load`);
    return;
  }
  const message = `HorizontalPodAutoscaler ${ctx.names.primary} differs from ${input.app.metadata?.name ?? ''}'s spec (edited by hand, or the app's HPA changed): writing it again`;
  ctx.log.warn(message);
  await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Normal', reason: 'HpaSynced', message });
}

/**
 * Keeps the primary's HPA as the app's says (with a promotion's floor, see promotionFloor):
 * created when missing, written again when it differs (edited by hand: an Event says so), deleted
 * when the app has no HPA any more. Returns it (null when none).
 */
export async function ensurePrimaryHpa(ctx: AppContext, found: Autoscaling, run: { promoting: boolean; primary: V1Deployment | null }): Promise<V2HorizontalPodAutoscaler | null> {
  const floor = promotionFloor({ found, ...run, target: ctx.target });
  const hpa = await syncPrimaryHpa(ctx, found, floor);
  // Below its minReplicas an HPA scales its target up to it, metrics or not; Fledge does the same
  // at once, so a promotion never waits on the autoscaler's next sync for the floor it set.
  if (hpa !== null && floor !== null && replicasOf(run.primary) < floor && run.primary !== null) {
    await ctx.deps.cluster.scaleDeployment(ctx.names.namespace, ctx.names.primary, floor);
  }
  return hpa;
}

async function syncPrimaryHpa(ctx: AppContext, found: Autoscaling, floor: number | null): Promise<V2HorizontalPodAutoscaler | null> {
  const { cluster } = ctx.deps;
  const { namespace, primary } = ctx.names;
  if (found.app === null) {
    if (found.primary !== null) await cluster.deleteHpa(namespace, primary);
    return null;
  }
  const wanted = primaryHpa({ app: found.app, names: ctx.names, owner: ownerRef(ctx.canary), floor });
  if (found.primary === null) return cluster.createHpa(wanted);
  if (jsonEqual(found.primary.spec, wanted.spec) && floorOf(found.primary) === floor) return found.primary;
  await explainRewrite(ctx, { found: found.primary, app: found.app, floor });
  const resourceVersion = found.primary.metadata?.resourceVersion;
  return cluster.replaceHpa({ ...wanted, metadata: { ...wanted.metadata, ...(resourceVersion === undefined ? {} : { resourceVersion }) } });
}
