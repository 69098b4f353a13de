// RFC 6902 JSON Patch: add, remove, replace, move, copy, test.
import { clone, deepEqual, isRecord } from '../json.ts';

export type PatchResult = { ok: true; value: unknown } | { ok: false; error: string };

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] | undefined {
  if (path === '') return [];
  if (!path.startsWith('/')) return undefined;
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** The parent container of the last token, or an error message. */
function parentOf(doc: unknown, tokens: readonly string[]): { parent: Container; key: string } | string {
  let current: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isRecord(current)) current = current[token];
    else return `path /${tokens.join('/')} does not exist`;
  }
  if (!Array.isArray(current) && !isRecord(current)) return `path /${tokens.join('/')} does not exist`;
  return { parent: current, key: tokens[tokens.length - 1] ?? '' };
}

function arrayIndex(array: unknown[], key: string, forAdd: boolean): number | undefined {
  if (forAdd && key === '-') return array.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
  const index = Number(key);
  return index < array.length + (forAdd ? 1 : 0) ? index : undefined;
}

function read(doc: unknown, tokens: readonly string[]): { found: boolean; value?: unknown } {
  let current: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(current) && arrayIndex(current, token, false) !== undefined) current = current[Number(token)];
    else if (isRecord(current) && token in current) current = current[token];
    else return { found: false };
  }
  return { found: true, value: current };
}

function add(doc: unknown, tokens: readonly string[], value: unknown): PatchResult {
  if (tokens.length === 0) return { ok: true, value };
  const target = parentOf(doc, tokens);
  if (typeof target === 'string') return { ok: false, error: target };
  if (!Array.isArray(target.parent)) {
    target.parent[target.key] = value;
    return { ok: true, value: doc };
  }
  const index = arrayIndex(target.parent, target.key, true);
  if (index === undefined) return { ok: false, error: `index ${target.key} out of range` };
  target.parent.splice(index, 0, value);
  return { ok: true, value: doc };
}

function remove(doc: unknown, tokens: readonly string[]): PatchResult {
  const target = parentOf(doc, tokens);
  if (typeof target === 'string') return { ok: false, error: target };
  if (Array.isArray(target.parent)) {
    const index = arrayIndex(target.parent, target.key, false);
    if (index === undefined) return { ok: false, error: `index ${target.key} out of range` };
    target.parent.splice(index, 1);
  } else {
    if (!(target.key in target.parent)) return { ok: false, error: `Unable to remove nonexistent key: ${target.key}: missing value` };
    delete target.parent[target.key];
  }
  return { ok: true, value: doc };
}

function applyOne(doc: unknown, op: Operation): PatchResult {
  const path = pointer(op.path);
  if (path === undefined) return { ok: false, error: `invalid path ${op.path}` };
  const from = op.from === undefined ? undefined : pointer(op.from);
  switch (op.op) {
    case 'add':
      return add(doc, path, clone(op.value));
    case 'remove':
      return remove(doc, path);
    case 'replace': {
      if (!read(doc, path).found) return { ok: false, error: `replace operation does not apply: doc is missing key: ${op.path}: missing value` };
      const removed = remove(doc, path);
      return removed.ok ? add(removed.value, path, clone(op.value)) : removed;
    }
    case 'test':
      return deepEqual(read(doc, path).value, op.value) ? { ok: true, value: doc } : { ok: false, error: `testing value ${op.path} failed: test failed` };
    default:
      return moveOrCopy(doc, op.op, path, from);
  }
}

function moveOrCopy(doc: unknown, kind: string, path: string[], from: string[] | undefined): PatchResult {
  if ((kind !== 'move' && kind !== 'copy') || from === undefined) return { ok: false, error: `Unexpected kind: ${kind}` };
  const source = read(doc, from);
  if (!source.found) return { ok: false, error: `${kind} operation does not apply: doc is missing from path: /${from.join('/')}` };
  const value = clone(source.value);
  if (kind === 'move') {
    const removed = remove(doc, from);
    if (!removed.ok) return removed;
  }
  return add(doc, path, value);
}

/** Applies a JSON Patch to a copy of `doc`. */
export function applyJsonPatch(doc: unknown, patch: unknown): PatchResult {
  if (!Array.isArray(patch)) return { ok: false, error: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' };
  let current = clone(doc);
  for (const raw of patch) {
    if (!isRecord(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') return { ok: false, error: 'invalid JSON Patch operation' };
    const result = applyOne(current, raw as unknown as Operation);
    if (!result.ok) return result;
    current = result.value;
  }
  return { ok: true, value: current };
}
