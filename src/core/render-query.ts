// Renders an analysis template's PromQL for one workload and window. Pure.
//
// Placeholders: {{namespace}} and {{workload}} (label values: escaped for a PromQL
// double-quoted string, so they belong inside "…"), {{window}} (a PromQL duration such as
// "60s"), {{latencyEdge}} (the bucket edge in ms) and {{latencyEdgeSeconds}} (the same edge in
// seconds, for exporters that measure in seconds). Whitespace inside the braces is allowed.
// Edges print as JavaScript prints numbers (500, 0.5, 1): a `le` matcher compares strings, so an
// exporter that writes "1.0" needs a regex matcher such as le=~"1(\\.0)?" in its template.

export interface QueryVars {
  readonly namespace: string;
  readonly workload: string;
  /** A PromQL duration, e.g. "60s" or "1500ms" (see windowOf). */
  readonly window: string;
  /** Latency boundary in milliseconds; a finite number > 0. */
  readonly latencyEdge: number;
}

/** A rendered query, or why the template cannot be rendered (never a query with blanks). */
export type RenderResult =
  | { readonly ok: true; readonly query: string }
  | { readonly ok: false; readonly message: string };

export const placeholders = ['namespace', 'workload', 'window', 'latencyEdge', 'latencyEdgeSeconds'] as const;
export type Placeholder = (typeof placeholders)[number];

const token = /\{\{\s*([^{}]*?)\s*\}\}/g;
const duration = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Escapes a value for a PromQL double-quoted string literal. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function checkVars(vars: QueryVars): string | null {
  if (!duration.test(vars.window)) return `window "${vars.window}" is not a PromQL duration such as 60s`;
  if (!Number.isFinite(vars.latencyEdge) || vars.latencyEdge <= 0) {
    return `latency edge ${String(vars.latencyEdge)} is not a positive number of milliseconds`;
  }
  return null;
}

function valueOf(name: Placeholder, vars: QueryVars): string {
  switch (name) {
    case 'namespace':
      return escapeLabelValue(vars.namespace);
    case 'workload':
      return escapeLabelValue(vars.workload);
    case 'window':
      return vars.window;
    case 'latencyEdge':
      return String(vars.latencyEdge);
    case 'latencyEdgeSeconds':
      return String(vars.latencyEdge / 1000);
  }
}

function isPlaceholder(name: string): name is Placeholder {
  return (placeholders as readonly string[]).includes(name);
}

/** Names of the placeholders a template uses, in order of first use; unknown names included. */
export function placeholdersIn(template: string): string[] {
  // Group 1 always takes part in a match.
  const names = [...template.matchAll(token)].map((match) => String(match[1]));
  return [...new Set(names)];
}

/**
 * Substitutes every placeholder. An unknown placeholder, a stray `{{` or `}}`, or a bad
 * window/edge is an error value naming the problem.
 */
export function renderQuery(template: string, vars: QueryVars): RenderResult {
  const unknown = placeholdersIn(template).filter((name) => !isPlaceholder(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `{{${name}}}`).join(', ');
    return { ok: false, message: `unknown placeholder ${names}; known are ${placeholders.map((p) => `{{${p}}}`).join(', ')}` };
  }
  const rest = template.replace(token, '');
  if (rest.includes('{{') || rest.includes('}}')) return { ok: false, message: 'malformed placeholder: unbalanced {{ or }}' };
  const problem = checkVars(vars);
  if (problem !== null) return { ok: false, message: problem };
  const query = template.replace(token, (_match, name: string) => valueOf(name as Placeholder, vars));
  return { ok: true, query };
}

/**
 * The PromQL duration of [startMs, endMs): whole seconds as "60s", otherwise milliseconds as
 * "1500ms". The caller ensures endMs > startMs; a non-positive span yields "0s", which
 * Prometheus rejects.
 */
export function windowOf(startMs: number, endMs: number): string {
  const span = Math.max(0, Math.round(endMs - startMs));
  return span % 1000 === 0 ? `${span / 1000}s` : `${span}ms`;
}

/**
 * The range a window's queries read: the window and `lookbackMs` (one scrape) before it, so the
 * first scrape inside the window has the one before it to count from (see MeasureRequest).
 */
export function rangeOf(window: { readonly start: number; readonly end: number; readonly lookbackMs?: number }): string {
  return windowOf(window.start - Math.max(0, window.lookbackMs ?? 0), window.end);
}
