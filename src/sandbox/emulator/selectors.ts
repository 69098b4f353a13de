// Label selectors (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`) and field selectors.
import { readPath } from './json.ts';
import type { KubeObject } from './types.ts';

type Requirement =
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | 'absent'; readonly key: string };

export type Selector = (object: KubeObject) => boolean;
export type Parsed = { ok: true; selector: Selector } | { ok: false; error: string };

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += ch;
  }
  terms.push(current.trim());
  return terms.filter((t) => t !== '');
}

const keyRe = /^([a-z0-9A-Z.\-_]+\/)?[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$/;
const valueRe = /^([a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?)?$/;

function setTerm(term: string): Requirement | string {
  const match = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (match === null) return `unable to parse requirement: ${term}`;
  const [, key = '', op = 'in', list = ''] = match;
  const values = list.split(',').map((v) => v.trim());
  if (values.some((v) => !valueRe.test(v))) return `unable to parse requirement: invalid label value in ${term}`;
  return { op: op === 'in' ? 'in' : 'notin', key, values };
}

function equalityTerm(term: string): Requirement | string {
  const match = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (match === null) return `unable to parse requirement: ${term}`;
  const [, key = '', op = '=', value = ''] = match;
  if (!valueRe.test(value)) return `unable to parse requirement: invalid label value: "${value}"`;
  return { op: op === '!=' ? 'notin' : 'in', key, values: [value] };
}

function parseTerm(term: string): Requirement | string {
  if (/\s(in|notin)\s*\(/.test(term)) return setTerm(term);
  if (/[=]/.test(term)) return equalityTerm(term);
  if (term.startsWith('!')) return { op: 'absent', key: term.slice(1).trim() };
  return { op: 'exists', key: term };
}

function matches(req: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[req.key];
  switch (req.op) {
    case 'exists':
      return value !== undefined;
    case 'absent':
      return value === undefined;
    case 'in':
      return value !== undefined && req.values.includes(value);
    case 'notin':
      return value === undefined || !req.values.includes(value);
  }
}

export function parseLabelSelector(text: string | null): Parsed {
  if (text === null || text.trim() === '') return { ok: true, selector: () => true };
  const reqs: Requirement[] = [];
  for (const term of splitTerms(text)) {
    const req = parseTerm(term);
    if (typeof req === 'string') return { ok: false, error: req };
    if (!keyRe.test(req.key)) return { ok: false, error: `unable to parse requirement: invalid label key "${req.key}"` };
    reqs.push(req);
  }
  return { ok: true, selector: (o) => reqs.every((r) => matches(r, o.metadata.labels ?? {})) };
}

/** Label selector text from a Deployment-style `{matchLabels, matchExpressions}`. */
export function selectorText(selector: unknown): string {
  const s = selector as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined;
  const terms = Object.entries(s?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s?.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'exists') terms.push(e.key);
    else if (op === 'doesnotexist') terms.push(`!${e.key}`);
    else terms.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return terms.join(',');
}

/** Field selectors on `metadata.name`, `metadata.namespace` and the kind's extra fields. */
function fieldTerm(term: string, extra: readonly string[]): Selector | string {
  const match = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (match === null) return `invalid selector: can't understand '${term}'`;
  const [, field = '', op = '=', value = ''] = match;
  if (field !== 'metadata.name' && field !== 'metadata.namespace' && !extra.includes(field)) return `field label not supported: ${field}`;
  const path = field.split('.');
  const want = op !== '!=';
  return (o) => (JSON.stringify(readPath(o, path) ?? '') === JSON.stringify(value)) === want;
}

export function parseFieldSelector(text: string | null, extra: readonly string[]): Parsed {
  if (text === null || text.trim() === '') return { ok: true, selector: () => true };
  const checks: Selector[] = [];
  for (const term of splitTerms(text)) {
    const check = fieldTerm(term, extra);
    if (typeof check === 'string') return { ok: false, error: check };
    checks.push(check);
  }
  return { ok: true, selector: (o) => checks.every((c) => c(o)) };
}
