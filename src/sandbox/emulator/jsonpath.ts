// The simple JSONPath subset printer columns use: `.a.b`, `['a.b']`, `[0]`, `[*]`,
// `[?(@.type=="Ready")]` (== and !=, or bare existence).
import { isRecord, readPath } from './json.ts';

type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'filter'; readonly path: readonly string[]; readonly op: '==' | '!=' | 'exists'; readonly value: unknown };

function filterStep(expr: string): Step | undefined {
  const match = /^\?\(@((?:\.[\w-]+)+)\s*(?:(==|!=)\s*(.+))?\)$/.exec(expr.trim());
  if (match === null) return undefined;
  const [, dotted = '', op, raw] = match;
  const path = dotted.split('.').filter((p) => p !== '');
  if (op === undefined || raw === undefined) return { kind: 'filter', path, op: 'exists', value: undefined };
  const text = raw.trim();
  const quoted = /^(['"])(.*)\1$/.exec(text);
  const value: unknown = quoted !== null ? quoted[2] : text === 'true' ? true : text === 'false' ? false : Number(text);
  return { kind: 'filter', path, op: op === '==' ? '==' : '!=', value };
}

function bracketStep(inner: string): Step | undefined {
  const quoted = /^(['"])(.*)\1$/.exec(inner);
  if (quoted !== null) return { kind: 'field', name: quoted[2] ?? '' };
  if (inner === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  return filterStep(inner);
}

/** Parses a path into steps; undefined when it is outside the supported subset. */
export function parseJsonPath(text: string): Step[] | undefined {
  let rest = text.trim().replace(/^\{/, '').replace(/\}$/, '').replace(/^\$/, '');
  const steps: Step[] = [];
  while (rest !== '') {
    const field = /^\.([\w-]+)/.exec(rest);
    if (field !== null) {
      steps.push({ kind: 'field', name: field[1] ?? '' });
      rest = rest.slice(field[0].length);
      continue;
    }
    const close = rest.startsWith('[') ? rest.indexOf(']', rest.startsWith('[?(') ? rest.indexOf(')') : 0) : -1;
    const step = close === -1 ? undefined : bracketStep(rest.slice(1, close));
    if (step === undefined) return undefined;
    steps.push(step);
    rest = rest.slice(close + 1);
  }
  return steps;
}

function select(node: unknown, step: Step): unknown[] {
  if (step.kind === 'field') return isRecord(node) && node[step.name] !== undefined ? [node[step.name]] : [];
  if (!Array.isArray(node)) return [];
  const items = node as unknown[];
  switch (step.kind) {
    case 'index': {
      const item = items[step.index < 0 ? items.length + step.index : step.index];
      return item === undefined ? [] : [item];
    }
    case 'all':
      return items;
    case 'filter':
      return items.filter((item) => filterMatches(item, step));
  }
}

function filterMatches(item: unknown, step: Extract<Step, { kind: 'filter' }>): boolean {
  const value = readPath(item, step.path);
  if (step.op === 'exists') return value !== undefined;
  return (value === step.value) === (step.op === '==');
}

/** Every value the path selects in `doc`. */
export function evaluateJsonPath(doc: unknown, path: string): unknown[] {
  const steps = parseJsonPath(path);
  if (steps === undefined) return [];
  return steps.reduce<unknown[]>((nodes, step) => nodes.flatMap((node) => select(node, step)), [doc]);
}
