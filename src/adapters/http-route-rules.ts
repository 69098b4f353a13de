// The rules of the HTTPRoute Fledge writes: one weighted rule, or for an A/B run a first rule
// whose request match sends to the canary and a catch-all to the primary. Every field a real API
// server would default is written out, so a route read back equals the one written.
import type { RouteRef } from '../ports.ts';
import type { RequestMatch } from '../config/route-values.ts';

type Rule = Record<string, unknown>;

const everything = { path: { type: 'PathPrefix', value: '/' } };

function backend(name: string, port: number, weight: number): Rule {
  return { group: '', kind: 'Service', name, port, weight };
}

/** One rule for all requests: primary `100 - canaryWeight`, canary `canaryWeight`. */
export function weightRule(ref: RouteRef, port: number, canaryWeight: number): Rule {
  return { matches: [everything], backendRefs: [backend(ref.primaryService, port, 100 - canaryWeight), backend(ref.canaryService, port, canaryWeight)] };
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One condition as a Gateway API match part; a cookie is a regular expression on the Cookie header. */
function matchPart(m: RequestMatch): { headers?: Rule; queryParams?: Rule } {
  if (m.on === 'query') return { queryParams: { type: 'Exact', name: m.name, value: m.value } };
  if (m.on === 'cookie') return { headers: { type: 'RegularExpression', name: 'Cookie', value: `(^|;\\s*)${escaped(m.name)}=${escaped(m.value)}(;|$)` } };
  return { headers: { type: m.regex ? 'RegularExpression' : 'Exact', name: m.name, value: m.value } };
}

/** All conditions in one HTTPRouteMatch (a request must meet every one). */
function requestMatch(match: readonly RequestMatch[]): Rule {
  const parts = match.map(matchPart);
  const headers = parts.flatMap((p) => (p.headers === undefined ? [] : [p.headers]));
  const queryParams = parts.flatMap((p) => (p.queryParams === undefined ? [] : [p.queryParams]));
  return { ...everything, ...(headers.length > 0 ? { headers } : {}), ...(queryParams.length > 0 ? { queryParams } : {}) };
}

/**
 * A/B at checkpoint `canaryWeight`: above 0 (and below 100) matching requests go to the canary
 * and the rest to the primary; at 0 everything goes to the primary, at 100 to the canary.
 */
export function abRules(ref: RouteRef, input: { port: number; match: readonly RequestMatch[]; canaryWeight: number }): Rule[] {
  const { port, match, canaryWeight } = input;
  const rest = weightRule(ref, port, canaryWeight === 100 ? 100 : 0);
  if (canaryWeight <= 0 || canaryWeight >= 100) return [rest];
  const matched = { matches: [requestMatch(match)], backendRefs: [backend(ref.primaryService, port, 0), backend(ref.canaryService, port, 100)] };
  return [matched, rest];
}

/** A rule that applies only to some requests (headers or query parameters). */
export function isMatchRule(rule: Rule): boolean {
  const matches = Array.isArray(rule['matches']) ? (rule['matches'] as unknown[]) : [];
  return matches.length > 0 && matches.every((m) => typeof m === 'object' && m !== null && ('headers' in m || 'queryParams' in m || 'method' in m));
}

/** The port the rules send to (that of the first backend naming one); null when none does. */
export function backendPort(rules: readonly Rule[]): number | null {
  for (const rule of rules) {
    const refs = Array.isArray(rule['backendRefs']) ? (rule['backendRefs'] as unknown[]) : [];
    for (const ref of refs) {
      const port = typeof ref === 'object' && ref !== null ? (ref as Rule)['port'] : undefined;
      if (typeof port === 'number') return port;
    }
  }
  return null;
}
