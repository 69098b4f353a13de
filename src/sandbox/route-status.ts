// What a Gateway API implementation writes on an HTTPRoute it serves: one `status.parents[]`
// entry per parent it is responsible for, with `Accepted` and `ResolvedRefs` for the generation
// it read. The sandbox's mesh (and tests standing in for one) write it through the status
// subresource, as Linkerd, Istio or Envoy Gateway do.

export const sandboxControllerName = 'sandbox.fledge.dev/mesh';

interface Route {
  readonly metadata?: { readonly generation?: number };
  readonly spec?: { readonly parentRefs?: unknown };
}

function condition(type: string, reason: string, input: { accepted: boolean; generation: number; at: string; message: string }): Record<string, unknown> {
  return {
    type,
    status: input.accepted ? 'True' : 'False',
    reason: input.accepted ? reason : type === 'Accepted' ? 'NotAllowedByListeners' : 'BackendNotFound',
    message: input.message,
    observedGeneration: input.generation,
    lastTransitionTime: input.at,
  };
}

/**
 * The status an implementation writes for `route`: every parent Accepted and ResolvedRefs for the
 * route's current generation, or (accepted: false) both False with `message`.
 */
export function parentsStatus(route: Route, input: { accepted: boolean; now: number; message?: string; controllerName?: string }): { parents: Record<string, unknown>[] } {
  const generation = route.metadata?.generation ?? 1;
  const at = new Date(input.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const message = input.message ?? (input.accepted ? 'Route is accepted' : 'Route is not accepted');
  const parents = Array.isArray(route.spec?.parentRefs) ? (route.spec.parentRefs as Record<string, unknown>[]) : [];
  return {
    parents: parents.map((parentRef) => ({
      parentRef,
      controllerName: input.controllerName ?? sandboxControllerName,
      conditions: [
        condition('Accepted', 'Accepted', { accepted: input.accepted, generation, at, message }),
        condition('ResolvedRefs', 'ResolvedRefs', { accepted: input.accepted, generation, at, message }),
      ],
    })),
  };
}
