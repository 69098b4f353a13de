// A CRD's OpenAPI v3.0 schema as a JSON Schema ajv compiles, with the real server's reading of
// the Kubernetes extensions: `nullable` adds null to the type, `x-kubernetes-int-or-string`
// means integer or string, exclusive bounds are booleans, formats the server does not check
// are dropped. Keywords ajv could trip on (unknown types, bad bounds, patterns JavaScript
// cannot compile) are left out rather than failing the CRD.
import { isRecord, type JsonRecord } from '../json.ts';
import { formatCheck } from './formats.ts';

const jsonTypes = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

const countKeys = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'] as const;

/** The declared types of a node, without null; empty when any type goes. */
export function declaredTypes(node: JsonRecord): string[] {
  if (node['x-kubernetes-int-or-string'] === true) return ['integer', 'string'];
  const type = node['type'];
  return typeof type === 'string' && jsonTypes.has(type) ? [type] : [];
}

function typeOf(node: JsonRecord): JsonRecord {
  const types = declaredTypes(node);
  if (types.length === 0) return {};
  const all = node['nullable'] === true ? [...types, 'null'] : types;
  return { type: all.length === 1 ? all[0] : all };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** OpenAPI 3.0's `exclusiveMinimum: true` beside `minimum` is JSON Schema's `exclusiveMinimum: n`. */
function limitOf(node: JsonRecord, key: 'minimum' | 'maximum'): JsonRecord {
  const value = node[key];
  if (typeof value !== 'number') return {};
  const exclusive = key === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum';
  return node[exclusive] === true ? { [exclusive]: value } : { [key]: value };
}

function bounds(node: JsonRecord): JsonRecord {
  const out: JsonRecord = { ...limitOf(node, 'minimum'), ...limitOf(node, 'maximum') };
  for (const key of countKeys) if (isCount(node[key])) out[key] = node[key];
  const multipleOf = node['multipleOf'];
  if (typeof multipleOf === 'number' && multipleOf > 0) out['multipleOf'] = multipleOf;
  return out;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function assertions(node: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  const { pattern, format, required, enum: values, uniqueItems } = node;
  if (typeof pattern === 'string' && compiles(pattern)) out['pattern'] = pattern;
  if (typeof format === 'string' && formatCheck(format) !== undefined) out['format'] = format;
  if (Array.isArray(required)) out['required'] = required.filter((r) => typeof r === 'string');
  if (Array.isArray(values)) out['enum'] = values;
  if (uniqueItems === true) out['uniqueItems'] = true;
  return out;
}

function mapValues(value: unknown): JsonRecord {
  const out: JsonRecord = {};
  for (const [key, child] of Object.entries(isRecord(value) ? value : {})) if (isRecord(child)) out[key] = toAjv(child);
  return out;
}

function list(value: unknown): JsonRecord[] | undefined {
  return Array.isArray(value) ? value.filter(isRecord).map(toAjv) : undefined;
}

function children(node: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  if (isRecord(node['properties'])) out['properties'] = mapValues(node['properties']);
  if (isRecord(node['additionalProperties'])) out['additionalProperties'] = toAjv(node['additionalProperties']);
  if (isRecord(node['items'])) out['items'] = toAjv(node['items']);
  if (isRecord(node['not'])) out['not'] = toAjv(node['not']);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const schemas = list(node[key]);
    if (schemas !== undefined && schemas.length > 0) out[key] = schemas;
  }
  return out;
}

/** One schema node (and everything under it) in ajv's terms. */
export function toAjv(node: JsonRecord): JsonRecord {
  return { ...typeOf(node), ...bounds(node), ...assertions(node), ...children(node) };
}
