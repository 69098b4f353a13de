// A mesh must never follow a TrafficSplit and an HTTPRoute for one Service (Linkerd's
// ServiceProfile, which its SMI extension writes, overrides the HTTPRoute). An app moved to
// `fledge.dev/router: gateway-api` loses the TrafficSplit Fledge wrote for it before; one moved
// back to SMI (its Canary was created with gateway-api) loses its HTTPRoute. One that is not
// Fledge's is left alone, as always.
import type { RouterKind } from '../config/knobs.ts';
import type { AppContext } from './context.ts';

/** The router whose object may be left over from before, or null when none can be. */
function otherRouter(ctx: AppContext): RouterKind | null {
  if (ctx.config.router === 'gateway-api') return 'smi-v1alpha2';
  return (ctx.canary.spec as { router?: unknown }).router === 'gateway-api' ? 'gateway-api' : null;
}

/** Removes Fledge's own route of the router the app no longer uses, with an Event. */
export async function dropOtherRoute(ctx: AppContext): Promise<void> {
  const kind = otherRouter(ctx);
  if (kind === null) return;
  const other = ctx.deps.routerFor(kind);
  if ((await other.read(ctx.route)).kind !== 'routed') return;
  await other.remove(ctx.route);
  const [gone, now] = kind === 'gateway-api' ? ['HTTPRoute', 'TrafficSplit'] : ['TrafficSplit', 'HTTPRoute'];
  const { app } = ctx.names;
  const message = `${gone} ${app} removed: ${app} now routes through ${now} ${app} (fledge.dev/router: ${ctx.config.router}), and a mesh must not follow both`;
  ctx.log.info(message);
  await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Normal', reason: 'RouterChanged', message });
}
