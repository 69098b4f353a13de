// `fledge abort` works even while a release is held by a bad annotation: the canary may still
// carry traffic from before the annotation broke, and a person must be able to take it back.
// Aborting needs no configuration: all traffic to the primary (through the router the Canary last
// ran with), the canary to zero, the revision marked failed — the same rollback as always.
import { readRequest, type CanaryObject } from '../ports.ts';
import { routerKinds, type RouterKind } from '../config/knobs.ts';
import type { CanaryState } from '../core/state.ts';
import { inRun, rollBack } from '../core/transitions.ts';
import { routeRefOf, type ReconcileDeps } from './context.ts';
import type { AppNames } from './names.ts';

function routerOf(canary: CanaryObject): RouterKind {
  const kind = (canary.spec as { router?: unknown }).router;
  return routerKinds.find((known) => known === kind) ?? 'smi-v1alpha2';
}

/**
 * Carries out a pending `fledge abort` on a held release; returns the state to write (the
 * rollback) or null when there is nothing to abort.
 */
export async function abortHeldRun(deps: ReconcileDeps, input: { canary: CanaryObject; state: CanaryState; names: AppNames; why: string }): Promise<CanaryState | null> {
  const { canary, state, names } = input;
  const request = readRequest(canary);
  if (request === null || request.verb !== 'abort' || request.id === state.handledRequest || !inRun(state)) return null;
  const decision = rollBack(state, `aborted by a person while the configuration is invalid (${input.why})`, 'Aborted');
  const router = deps.routerFor(routerOf(canary));
  const route = routeRefOf(names, canary);
  if ((await router.read(route)).kind === 'routed') await router.write(route, 0);
  await deps.cluster.scaleDeployment(names.namespace, names.app, 0);
  for (const action of decision.actions) {
    if (action.kind === 'event') await deps.cluster.recordEvent({ canary, severity: action.severity, reason: action.reason, message: action.message });
  }
  return { ...decision.state, handledRequest: request.id };
}
