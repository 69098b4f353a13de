// Fault injection: failing or delaying matching API requests, closing watches.
import { conflict, internalError, tooManyRequests } from './status.ts';
import type { Reply, Verb } from './types.ts';

export interface FaultMatch {
  readonly verb?: Verb;
  /** Plural resource name (`deployments`), or `deployments/status` for a subresource. */
  readonly resource?: string;
  readonly namespace?: string;
}

/** Test hooks; every rule applies to resource requests only (never discovery). */
export interface Faults {
  /** The next `count` matching requests answer `status` with a real Status body (429 with Retry-After). */
  failNext(match: FaultMatch, count: number, status: 409 | 429 | 500): void;
  /** Delay matching requests by `ms` before they are served (until clear()). */
  delay(match: FaultMatch, ms: number): void;
  /** Close every open watch connection now (clients must re-watch). */
  closeWatches(): void;
  clear(): void;
}

export interface RequestFacts {
  readonly verb: Verb;
  readonly group: string;
  readonly plural: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

function matches(match: FaultMatch, facts: RequestFacts): boolean {
  const resource = facts.subresource === undefined ? facts.plural : `${facts.plural}/${facts.subresource}`;
  if (match.verb !== undefined && match.verb !== facts.verb) return false;
  if (match.resource !== undefined && match.resource !== resource && match.resource !== facts.plural) return false;
  return match.namespace === undefined || match.namespace === facts.namespace;
}

function failure(status: 409 | 429 | 500, facts: RequestFacts): Reply {
  if (status === 429) return { code: 429, body: tooManyRequests(1), headers: { 'Retry-After': '1' } };
  if (status === 409) return { code: 409, body: conflict({ group: facts.group, plural: facts.plural }, facts.name ?? '') };
  return { code: 500, body: internalError('injected fault') };
}

export class FaultInjector implements Faults {
  private failures: { match: FaultMatch; remaining: number; status: 409 | 429 | 500 }[] = [];
  private delays: { match: FaultMatch; ms: number }[] = [];

  constructor(private readonly closeAllWatches: () => void) {}

  failNext(match: FaultMatch, count: number, status: 409 | 429 | 500): void {
    this.failures.push({ match, remaining: count, status });
  }

  delay(match: FaultMatch, ms: number): void {
    this.delays.push({ match, ms });
  }

  closeWatches(): void {
    this.closeAllWatches();
  }

  clear(): void {
    this.failures = [];
    this.delays = [];
  }

  /** Total delay for a request (sum of matching rules). */
  delayFor(facts: RequestFacts): number {
    return this.delays.filter((d) => matches(d.match, facts)).reduce((sum, d) => sum + d.ms, 0);
  }

  /** The injected failure for this request, consuming one use of the rule. */
  failureFor(facts: RequestFacts): Reply | undefined {
    const rule = this.failures.find((f) => f.remaining > 0 && matches(f.match, facts));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    this.failures = this.failures.filter((f) => f.remaining > 0);
    return failure(rule.status, facts);
  }
}
