// Autoscaled apps: an autoscaling/v2 HPA that scales the app's Deployment. Fledge gives the
// primary an HPA of its own (`<app>-primary`: the same spec, scaleTargetRef renamed, owned by the
// Canary, drift-repaired) and leaves the app's HPA as it is: between releases the app runs at
// zero replicas, and Kubernetes' HPA controller does not scale a target that is at zero (scaling
// to and from zero is off unless the HPAScaleToZero feature gate is on), so the app's HPA cannot
// scale the idle app up. During a run it scales the canary under its share of the load.
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { AppContext } from './context.ts';
import { jsonEqual } from './json-equal.ts';
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

/** `<app>-primary`'s HPA: the app's spec aimed at the primary, owned by the Canary. */
export function primaryHpa(input: { app: V2HorizontalPodAutoscaler; names: AppNames; owner: ReturnType<typeof ownerRef> }): V2HorizontalPodAutoscaler {
  const { app, names } = input;
  const spec = app.spec ?? { maxReplicas: 1, scaleTargetRef: { kind: 'Deployment', name: names.app } };
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: names.primary,
      namespace: names.namespace,
      labels: { ...app.metadata?.labels, [managedByLabel]: managedBy },
      ownerReferences: [input.owner],
    },
    spec: { ...spec, scaleTargetRef: { ...spec.scaleTargetRef, name: names.primary } },
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

/**
 * Keeps the primary's HPA as the app's says: created when missing, written again when its spec
 * was edited (an Event says so), deleted when the app has no HPA any more. Returns it (null when none).
 */
export async function ensurePrimaryHpa(ctx: AppContext, found: Autoscaling): Promise<V2HorizontalPodAutoscaler | null> {
  const { cluster } = ctx.deps;
  const { namespace, primary } = ctx.names;
  if (found.app === null) {
    if (found.primary !== null) await cluster.deleteHpa(namespace, primary);
    return null;
  }
  const wanted = primaryHpa({ app: found.app, names: ctx.names, owner: ownerRef(ctx.canary) });
  if (found.primary === null) return cluster.createHpa(wanted);
  if (jsonEqual(found.primary.spec, wanted.spec)) return found.primary;
  const message = `HorizontalPodAutoscaler ${primary} differs from ${found.app.metadata?.name ?? ''}'s spec (edited by hand, or the app's HPA changed): writing it again`;
  ctx.log.warn(message);
  await cluster.recordEvent({ canary: ctx.canary, severity: 'Normal', reason: 'HpaSynced', message });
  const resourceVersion = found.primary.metadata?.resourceVersion;
  return cluster.replaceHpa({ ...wanted, metadata: { ...wanted.metadata, ...(resourceVersion === undefined ? {} : { resourceVersion }) } });
}
