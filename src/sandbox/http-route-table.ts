// How the simulated mesh reads a Gateway API HTTPRoute, as an implementation would: for a request
// (its headers), the rule whose match fits it best — a match with more header conditions wins
// over a catch-all path prefix — and that rule's weighted backends. Query parameters and methods
// never match the sandbox's requests (it sends neither). Pure.

type Entry = Record<string, unknown>;

function records(value: unknown): Entry[] {
  return Array.isArray(value) ? value.filter((v): v is Entry => typeof v === 'object' && v !== null) : [];
}

/** A service and its relative weight, as the rule's backendRefs say. */
export interface WeightedService {
  readonly service: string;
  readonly weight: number;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function headerFits(condition: Entry, headers: Readonly<Record<string, string>>): boolean {
  const wanted = text(condition['name']).toLowerCase();
  const found = Object.entries(headers).find(([name]) => name.toLowerCase() === wanted)?.[1];
  if (found === undefined) return false;
  const value = text(condition['value']);
  if (condition['type'] !== 'RegularExpression') return found === value;
  try {
    return new RegExp(value).test(found);
  } catch {
    return false;
  }
}

/** How specific the match is when it fits the request (more header conditions: more specific); -1 when it does not fit. */
function fit(match: Entry, headers: Readonly<Record<string, string>>): number {
  const path = (match['path'] ?? { type: 'PathPrefix', value: '/' }) as Entry;
  if (path['type'] !== 'PathPrefix' || path['value'] !== '/') return -1;
  if (records(match['queryParams']).length > 0 || match['method'] !== undefined) return -1;
  const conditions = records(match['headers']);
  return conditions.every((c) => headerFits(c, headers)) ? conditions.length : -1;
}

/** The backends the route sends a request with `headers` to; empty when no rule matches it. */
export function backendsFor(route: { readonly spec?: unknown }, headers: Readonly<Record<string, string>>): WeightedService[] {
  let best: { score: number; rule: Entry } | null = null;
  for (const rule of records((route.spec as Entry | undefined)?.['rules'])) {
    const matches = records(rule['matches']);
    const score = Math.max(...(matches.length === 0 ? [0] : matches.map((m) => fit(m, headers))));
    if (score >= 0 && (best === null || score > best.score)) best = { score, rule };
  }
  if (best === null) return [];
  return records(best.rule['backendRefs']).map((b) => ({ service: text(b['name']), weight: typeof b['weight'] === 'number' ? b['weight'] : 1 }));
}

/** The route names the app's Service as a parent (GAMMA): the mesh serves it. */
export function meshParent(route: { readonly spec?: unknown }, app: string): boolean {
  return records((route.spec as Entry | undefined)?.['parentRefs'])
    .some((p) => (p['group'] === '' || p['group'] === 'core') && p['kind'] === 'Service' && p['name'] === app);
}

/** An implementation has reported on the route's current generation already. */
export function reportedOn(route: { readonly metadata?: { readonly generation?: number }; readonly status?: unknown }): boolean {
  const parents = records((route.status as Entry | undefined)?.['parents']);
  const generation = route.metadata?.generation ?? 0;
  return parents.length > 0 && parents.every((p) => records(p['conditions']).every((c) => c['observedGeneration'] === generation));
}
