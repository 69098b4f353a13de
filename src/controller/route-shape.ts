// The shape of the app's HTTPRoute (gateway-api router): its parents and backends are the apex
// Service's ports, its Gateway, hostnames and A/B match come from the annotations. SMI routers
// need none of it.
import type { V1Deployment } from '@kubernetes/client-node';
import type { RouteShape } from '../ports.ts';
import type { CanaryConfig } from '../config/canary-config.ts';
import type { ReconcileDeps } from './context.ts';
import type { AppNames } from './names.ts';
import { servicePorts } from './objects.ts';
import type { ConfigIssue } from './status.ts';

/**
 * The route's shape, or the problem that keeps Fledge from writing one (an apex Service without
 * a port: an HTTPRoute routes to a Service port); undefined for SMI routers.
 */
export async function routeShapeOf(deps: ReconcileDeps, input: { names: AppNames; target: V1Deployment; config: CanaryConfig }): Promise<RouteShape | ConfigIssue | undefined> {
  const { names, target, config } = input;
  if (config.router !== 'gateway-api') return undefined;
  const apex = await deps.cluster.getService(names.namespace, names.app);
  if (apex !== null && (apex.spec?.ports ?? []).length === 0) {
    return {
      reason: 'InvalidTarget',
      message: `Service ${names.app} has no port, and fledge.dev/router: gateway-api routes to a Service port (the HTTPRoute's backendRefs and mesh parentRefs need one): give the Service a port`,
    };
  }
  const ports = servicePorts(target, apex).map((port) => port.port);
  return { ports, gateway: config.route.gateway, hostnames: config.route.hostnames, match: config.route.match };
}

export function isShape(value: RouteShape | ConfigIssue | undefined): value is RouteShape {
  return value !== undefined && 'ports' in value;
}
