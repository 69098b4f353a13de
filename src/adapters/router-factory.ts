// The router for a `fledge.dev/router` kind: an SMI TrafficSplit of a version, or a Gateway API
// HTTPRoute. Unknown kinds are refused (no silent fallback).
import type { KubeConfig } from '@kubernetes/client-node';
import { FledgeError } from '../errors.ts';
import { routerKinds, type RouterKind } from '../config/knobs.ts';
import type { TrafficRouter } from '../ports.ts';
import { createGatewayRouter } from './gateway-router.ts';
import { createSmiRouter, type RouterOptions } from './smi-router.ts';

export type { RouterOptions };

/** The router for `kind`; an unknown kind is FLEDGE_CONFIG_INVALID. */
export function createRouter(kind: RouterKind, kc: KubeConfig, options: RouterOptions = {}): TrafficRouter {
  if (!(routerKinds as readonly string[]).includes(kind)) {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', `unknown router "${String(kind)}": allowed are ${routerKinds.join(', ')}`);
  }
  return kind === 'gateway-api' ? createGatewayRouter(kc, options.onApiError) : createSmiRouter(kind, kc, options);
}
