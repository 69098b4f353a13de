// The apex Service `<app>` is the app's address. Meshed clients follow the TrafficSplit; clients
// outside the mesh (an unmeshed ingress, a probe) use the Service's own endpoints, so once the
// primary serves, the apex selects the primary's pods — whether Fledge created it or the user
// did. Its selector before that is kept in an annotation and restored exactly at hand-back.
// This is the one object of the user's that Fledge changes, and only its selector.
import type { V1Service } from '@kubernetes/client-node';
import type { ClusterObjects } from '../ports.ts';
import type { AppContext } from './context.ts';
import { apexSelectorAnnotation, primaryLabels } from './names.ts';
import { selectorOf } from './objects.ts';
import { ownedByACanary } from './ownership.ts';

function sameSelector(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>): boolean {
  const left = Object.entries(a ?? {});
  return left.length === Object.keys(b).length && left.every(([key, value]) => b[key] === value);
}

/** The primary's pod selector: the app's matchLabels with `-primary` appended. */
export function primarySelector(ctx: AppContext): Record<string, string> {
  const selector = selectorOf(ctx.target);
  return primaryLabels(selector, Object.keys(selector));
}

/**
 * Points the apex at the primary's pods once the primary has a ready pod (never before: traffic
 * never goes to a backend without ready capacity). Returns true when it changed the apex.
 */
export async function pointApexAtPrimary(ctx: AppContext, input: { apex: V1Service | null; primaryReady: boolean }): Promise<boolean> {
  const { apex } = input;
  const wanted = primarySelector(ctx);
  if (apex === null || !input.primaryReady || sameSelector(apex.spec?.selector, wanted)) return false;
  const annotations = apex.metadata?.annotations ?? {};
  const original = annotations[apexSelectorAnnotation] ?? JSON.stringify(apex.spec?.selector ?? {});
  await ctx.deps.cluster.replaceService({
    ...apex,
    metadata: { ...apex.metadata, annotations: { ...annotations, [apexSelectorAnnotation]: original } },
    spec: { ...apex.spec, selector: wanted },
  });
  const message = `Service ${ctx.names.app} now selects the primary's pods, so clients outside the mesh reach the primary; its selector ${original} is restored at hand-back`;
  ctx.log.info(message);
  await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Normal', reason: 'ApexRetargeted', message });
  return true;
}

function savedSelector(apex: V1Service): Record<string, string> | null {
  const text = apex.metadata?.annotations?.[apexSelectorAnnotation];
  if (text === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    const record = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    return record !== null && Object.values(record).every((v) => typeof v === 'string') ? (record as Record<string, string>) : null;
  } catch {
    return null;
  }
}

/** Hand-back: the apex gets the selector it had before Fledge (the annotation goes). No-op when nothing was saved. */
export async function restoreApex(cluster: ClusterObjects, input: { namespace: string; app: string }): Promise<void> {
  const apex = await cluster.getService(input.namespace, input.app);
  // Another app's backend under this app's name is never written (children.ts reports it).
  if (apex === null || ownedByACanary(apex.metadata)) return;
  const selector = savedSelector(apex);
  if (selector === null) return;
  const { [apexSelectorAnnotation]: _saved, ...annotations } = apex.metadata?.annotations ?? {};
  await cluster.replaceService({ ...apex, metadata: { ...apex.metadata, annotations }, spec: { ...apex.spec, selector } });
}
