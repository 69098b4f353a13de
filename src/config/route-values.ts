// Zod schemas for the Gateway API route knobs: the parent Gateway (`fledge.dev/gateway`), its
// hostnames (`fledge.dev/hostnames`) and the A/B request match (`fledge.dev/match`). Like
// values.ts: input is trimmed non-empty text, problems are phrases that read after "is".
import { z } from 'zod';

/** A Gateway named as the route's parent (north–south); the namespace defaults to the app's. */
export interface GatewayParent {
  readonly namespace: string | null;
  readonly name: string;
  /** The Gateway listener (`sectionName`); null: every listener. */
  readonly sectionName: string | null;
}

/**
 * One condition a request must meet to reach the canary in an A/B run. `header` with `regex`
 * is a RegularExpression match; every other one is Exact. A cookie is matched as a header
 * regex on `Cookie` (Gateway API has no cookie match).
 */
export interface RequestMatch {
  readonly on: 'header' | 'cookie' | 'query';
  readonly name: string;
  readonly value: string;
  readonly regex: boolean;
}

function fail(ctx: z.RefinementCtx, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const hostname = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// An HTTP header name (RFC 7230 token), as the HTTPRoute CRD's pattern allows.
const headerName = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

const isName = (text: string): boolean => text.length <= 253 && dnsSubdomain.test(text);

function gatewayProblem(namespace: string | null, name: string, section: string | null): string | null {
  if (namespace !== null && !dnsLabel.test(namespace)) return 'a reference whose namespace is not a valid namespace name';
  if (!isName(name)) return 'a reference whose Gateway name is not a valid name';
  if (section !== null && !isName(section)) return 'a reference whose listener (SECTION) is not a valid name';
  return null;
}

/** `[NAMESPACE/]NAME[:SECTION]` → the parent Gateway. */
export const gatewayText: z.ZodType<GatewayParent, string> = z.string().transform((text, ctx) => {
  const match = /^(?:([^/:]+)\/)?([^/:]+)(?::([^/:]+))?$/.exec(text);
  if (match === null) return fail(ctx, 'not of the form [NAMESPACE/]NAME[:SECTION]');
  const [, namespace, name = '', section] = match;
  const problem = gatewayProblem(namespace ?? null, name, section ?? null);
  if (problem !== null) return fail(ctx, problem);
  return { namespace: namespace ?? null, name, sectionName: section ?? null };
});

/** `a.example.com,b.example.com` → hostnames (at most 16, as the HTTPRoute CRD allows). */
export const hostnamesText: z.ZodType<string[], string> = z.string().transform((text, ctx) => {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length > 16) return fail(ctx, `${names.length} hostnames (an HTTPRoute holds at most 16)`);
  const bad = names.findIndex((name) => name.length > 253 || !hostname.test(name));
  if (bad >= 0) return fail(ctx, `not a list of DNS names (entry ${bad + 1} is not one)`);
  return [...new Set(names)];
});

// Problems never quote the value: a secret pasted into the wrong key must not reach messages.
function parseCondition(entry: string): RequestMatch | string {
  const kind = /^(header|cookie|query):/.exec(entry);
  if (kind === null) return 'does not start with header:, cookie: or query:';
  const on = kind[1] as RequestMatch['on'];
  const rest = entry.slice(kind[0].length);
  const regex = on === 'header' && /^[^=~]+~/.test(rest);
  const at = rest.indexOf(regex ? '~' : '=');
  if (at <= 0 || at === rest.length - 1) return `is not ${on}:NAME=VALUE${on === 'header' ? ' or header:NAME~REGEX' : ''}`;
  const name = rest.slice(0, at);
  const value = rest.slice(at + 1);
  if (!headerName.test(name)) return `has a NAME that is not a valid ${on} name`;
  if (regex && !validRegex(value)) return 'has a REGEX that is not a regular expression';
  return { on, name, value, regex };
}

function validRegex(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

/** `header:x-beta=1,cookie:group=b` → the conditions, all of which a request must meet. */
export const matchText: z.ZodType<RequestMatch[], string> = z.string().transform((text, ctx) => {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const parsed = entries.map(parseCondition);
  const bad = parsed.findIndex((entry) => typeof entry === 'string');
  const problem = parsed[bad];
  if (typeof problem === 'string') return fail(ctx, `not a request match (condition ${bad + 1} ${problem})`);
  if (parsed.length > 16) return fail(ctx, `${parsed.length} conditions (at most 16)`);
  return parsed as RequestMatch[];
});

/** The match as written in an annotation (for messages and the Canary spec). */
export function matchTextOf(match: readonly RequestMatch[]): string {
  return match.map((m) => `${m.on}:${m.name}${m.regex ? '~' : '='}${m.value}`).join(',');
}
