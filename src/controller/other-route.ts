// A mesh must never follow a TrafficSplit and an HTTPRoute for one Service (Linkerd's
// ServiceProfile, which its SMI extension writes, overrides the HTTPRoute). An app moved to
// `fledge.dev/router: gateway-api` loses the TrafficSplit Fledge wrote for it before; one that is
// not Fledge's is left alone, as always.
import type { AppContext } from './context.ts';

/** Removes Fledge's own TrafficSplit of an app that now routes through an HTTPRoute, with an Event. */
export async function dropOtherRoute(ctx: AppContext): Promise<void> {
  if (ctx.config.router !== 'gateway-api') return;
  const smi = ctx.deps.routerFor('smi-v1alpha2');
  if ((await smi.read(ctx.route)).kind !== 'routed') return;
  await smi.remove(ctx.route);
  const message = `TrafficSplit ${ctx.names.app} removed: ${ctx.names.app} now routes through HTTPRoute ${ctx.names.app} (fledge.dev/router: gateway-api), and a mesh must not follow both`;
  ctx.log.info(message);
  await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Normal', reason: 'RouterChanged', message });
}
