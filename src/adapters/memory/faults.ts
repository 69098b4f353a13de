// Injected failures and the audit log of the in-memory cluster: what tests use to make the
// API fail on chosen calls and to assert which writes happened (or that none did).
import { codeForStatus, KubeApiError } from '../kube/errors.ts';

/** The API verbs of the calls the port makes. */
export type ApiVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

/** One API call: `resource` is the plural, or `plural/subresource` (`deployments/scale`, `canaries/status`). */
export interface ApiCall {
  readonly verb: ApiVerb;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
}

/** Which calls a fault hits; unset fields match anything. `resource` matches a subresource's plural too. */
export interface FaultMatch {
  readonly verb?: ApiVerb;
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** An HTTP status the call answers, or `unavailable` (no answer: connection refused). */
export type FaultAnswer = 400 | 404 | 409 | 422 | 429 | 500 | 'unavailable';

function matches(match: FaultMatch, call: ApiCall): boolean {
  const plural = call.resource.split('/')[0];
  if (match.verb !== undefined && match.verb !== call.verb) return false;
  if (match.resource !== undefined && match.resource !== call.resource && match.resource !== plural) return false;
  if (match.namespace !== undefined && match.namespace !== call.namespace) return false;
  return match.name === undefined || match.name === call.name;
}

function describe(call: ApiCall): string {
  return `${call.verb} ${call.resource} ${call.namespace}/${call.name}`;
}

/** The error the kube adapter throws for the same answer (same code, same `status`). */
export function apiError(call: ApiCall, answer: FaultAnswer, message: string): KubeApiError {
  if (answer === 'unavailable') {
    return new KubeApiError('FLEDGE_API_UNAVAILABLE', `${describe(call)}: connect ECONNREFUSED (in-memory cluster)`, { status: null, cause: null });
  }
  return new KubeApiError(codeForStatus(answer), `${describe(call)}: HTTP ${answer}: ${message}`, { status: answer, cause: null });
}

/** Faults to inject and the log of the writes made, shared by the in-memory cluster and router. */
export class ApiLog {
  /** Every write call (create, update, patch, delete) made through the port, in order, failed ones included. */
  readonly writes: ApiCall[] = [];
  #faults: Array<{ match: FaultMatch; remaining: number; answer: FaultAnswer }> = [];

  /** The next `count` matching calls fail with `answer`. */
  failNext(match: FaultMatch, count: number, answer: FaultAnswer): void {
    this.#faults.push({ match, remaining: count, answer });
  }

  /** Drops every fault not yet used. */
  clear(): void {
    this.#faults = [];
  }

  /** Records the call and throws the injected failure for it, if any. */
  enter(call: ApiCall): void {
    if (call.verb !== 'get' && call.verb !== 'list') this.writes.push(call);
    const fault = this.#faults.find((f) => f.remaining > 0 && matches(f.match, call));
    if (fault === undefined) return;
    fault.remaining -= 1;
    this.#faults = this.#faults.filter((f) => f.remaining > 0);
    throw apiError(call, fault.answer, 'injected fault');
  }
}
