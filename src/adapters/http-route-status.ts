// Whether an implementation took an HTTPRoute: Gateway API implementations write one entry per
// parent under `status.parents[]`, each with `Accepted` and `ResolvedRefs` conditions stamped
// with the generation they judged. A route counts as accepted when some parent reports both True
// for the route's current generation; anything else is said in one sentence.
import type { RouteAcceptance, RouteRef, RouteState } from '../ports.ts';
import type { HttpRoute } from './http-route.ts';

type Entry = Record<string, unknown>;

function records(value: unknown): Entry[] {
  return Array.isArray(value) ? value.filter((v): v is Entry => typeof v === 'object' && v !== null) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `Service app:80`, `Gateway infra/public (listener https)`, for messages. */
export function parentText(parent: Entry, namespace: string): string {
  const kind = text(parent['kind']) || 'Gateway';
  const port = typeof parent['port'] === 'number' ? `:${parent['port']}` : '';
  const ns = text(parent['namespace']);
  const section = text(parent['sectionName']);
  return `${kind} ${ns !== '' && ns !== namespace ? `${ns}/` : ''}${text(parent['name'])}${port}${section !== '' ? ` (listener ${section})` : ''}`;
}

function conditionOf(entry: Entry, type: string): Entry | undefined {
  return records(entry['conditions']).find((c) => c['type'] === type);
}

/** Why this condition does not hold for the current generation; null when it does. */
function conditionProblem(who: string, condition: Entry | undefined, input: { type: string; generation: number }): string | null {
  const { type, generation } = input;
  if (condition === undefined) return `${who} has not reported ${type}`;
  const observed = typeof condition['observedGeneration'] === 'number' ? condition['observedGeneration'] : 0;
  if (observed < generation) return `${who} has not judged generation ${generation} yet (its ${type} is for generation ${observed})`;
  if (condition['status'] === 'True') return null;
  const message = text(condition['message']);
  return `${who} reports ${type}=${text(condition['status']) || 'Unknown'} (${text(condition['reason']) || 'no reason'})${message === '' ? '' : `: ${message}`}`;
}

/** Why this parent does not (yet) accept the current generation; null when it does. */
function parentProblem(entry: Entry, generation: number, namespace: string): string | null {
  const parent = typeof entry['parentRef'] === 'object' && entry['parentRef'] !== null ? (entry['parentRef'] as Entry) : {};
  const controller = text(entry['controllerName']);
  const who = `${parentText(parent, namespace)}${controller === '' ? '' : ` (${controller})`}`;
  return conditionProblem(who, conditionOf(entry, 'Accepted'), { type: 'Accepted', generation })
    ?? conditionProblem(who, conditionOf(entry, 'ResolvedRefs'), { type: 'ResolvedRefs', generation });
}

function parentsWanted(route: HttpRoute, namespace: string): string {
  const parents = records(route.spec?.parentRefs).map((p) => parentText(p, namespace));
  return parents.length === 0 ? 'its parent' : parents.join(', ');
}

/**
 * A route not accepted whose parent Gateway does not exist says so: nobody will ever accept it.
 * (Looked up only when the route is not accepted; the lookup's absence changes nothing.)
 */
export function withMissingGateway(state: RouteState, ref: RouteRef, gateway: { namespace: string; name: string }): RouteState {
  if (state.kind !== 'routed' || state.acceptance === undefined || state.acceptance.accepted) return state;
  const message = `HTTPRoute ${ref.name} is not accepted: its parent Gateway ${gateway.namespace}/${gateway.name} does not exist`;
  return { ...state, acceptance: { accepted: false, message } };
}

/** The Gateway to look up when the route is not accepted; null for a mesh route (or one that is accepted). */
export function gatewayToCheck(state: RouteState, ref: RouteRef): { namespace: string; name: string } | null {
  const gateway = ref.shape?.gateway ?? null;
  if (gateway === null || state.kind !== 'routed' || state.acceptance?.accepted !== false) return null;
  return { namespace: gateway.namespace ?? ref.namespace, name: gateway.name };
}

/** Accepted when some parent reports Accepted=True and ResolvedRefs=True for the current generation. */
export function acceptanceOf(route: HttpRoute, ref: RouteRef): RouteAcceptance {
  const generation = route.metadata.generation ?? 0;
  const entries = records(route.status?.parents);
  const name = `HTTPRoute ${ref.name}`;
  if (entries.length === 0) {
    return { accepted: false, message: `${name}: no implementation has reported on it for ${parentsWanted(route, ref.namespace)} (status.parents is empty)` };
  }
  const problems = entries.map((entry) => parentProblem(entry, generation, ref.namespace));
  if (problems.some((problem) => problem === null)) return { accepted: true, message: `${name} accepted for generation ${generation}` };
  return { accepted: false, message: `${name} is not accepted: ${problems.join('; ')}` };
}
