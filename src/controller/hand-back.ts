// Hand-back: `fledge.dev/canary` set to "false" or removed. The app returns to plain
// Kubernetes: the Deployment is scaled to full size, once its pods are ready the apex Service gets
// back the selector it had before Fledge and the TrafficSplit is removed, the primary's HPA is
// deleted (the app's own HPA, never changed, scales the app again now that it runs above zero),
// and deleting the Canary lets garbage collection remove the primary, its Services and
// ConfigMap/Secret copies.
import type { V1Deployment } from '@kubernetes/client-node';
import { parseAnnotations } from '../config/annotations.ts';
import { restoreApex } from './apex.ts';
import { routeRefOf, type ReconcileDeps } from './context.ts';
import type { AppNames } from './names.ts';
import { viewOf } from './observe.ts';
import type { ReconcileResult } from './reconcile.ts';
import { ownedBy } from './ownership.ts';

const pollMs = 2_000;

/** Scales the Deployment to full size; true once its own pods can carry all traffic. */
async function targetCarries(deps: ReconcileDeps, input: { target: V1Deployment; names: AppNames }): Promise<boolean> {
  const { names } = input;
  const primary = await deps.cluster.getDeployment(names.namespace, names.primary);
  const wanted = Math.max(1, primary?.spec?.replicas ?? 1);
  const view = viewOf(input.target);
  if (view.replicas < wanted) {
    await deps.cluster.scaleDeployment(names.namespace, names.app, wanted);
    return false;
  }
  return view.rolledOut && view.readyReplicas >= wanted;
}

export async function handBack(deps: ReconcileDeps, input: { target: V1Deployment; names: AppNames }): Promise<ReconcileResult> {
  const { target, names } = input;
  const { cluster } = deps;
  const canary = await cluster.getCanary(names.namespace, names.app);
  if (canary === null) return { requeueAfterMs: null };
  // Traffic stays with the primary until the Deployment's own pods can take it.
  if (!(await targetCarries(deps, input))) return { requeueAfterMs: pollMs };
  const parsed = parseAnnotations(target.metadata?.annotations ?? {}, deps.catalog);
  const router = deps.routerFor(parsed.ok ? parsed.config.router : 'smi-v1alpha2');
  const route = routeRefOf(names, canary);
  // Clients outside the mesh go back to the Deployment's pods before the split goes.
  await restoreApex(cluster, names);
  if ((await router.read(route)).kind === 'routed') await router.remove(route);
  const primaryHpa = await cluster.getHpa(names.namespace, names.primary);
  if (primaryHpa !== null && ownedBy(primaryHpa.metadata, canary.metadata.uid ?? '')) await cluster.deleteHpa(names.namespace, names.primary);
  const message = `fledge.dev/canary is no longer "true": ${names.app} serves directly; Fledge objects removed`;
  await cluster.recordEvent({ canary, severity: 'Normal', reason: 'HandedBack', message });
  await cluster.deleteCanary(names.namespace, names.app);
  deps.log.info({ canary: `${names.namespace}/${names.app}` }, 'handed back');
  return { requeueAfterMs: null };
}
