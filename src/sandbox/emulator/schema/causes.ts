// ajv's errors as the real server's 422 causes: kube-openapi's messages ("spec.replicas in body
// should be greater than or equal to 0") inside apimachinery's field errors ("Invalid value: -1:
// …"), with the field paths kube writes (`spec.backends[1].weight`).
import type { ErrorObject } from 'ajv';
import { isRecord } from '../json.ts';
import type { StatusCause } from '../types.ts';
import { goNumber, goQuote, goValue } from './go-format.ts';

/** A cause and the path of the value it is about (for ratcheting on updates). */
export interface SchemaCause {
  readonly cause: StatusCause;
  readonly at: readonly (string | number)[];
}

interface Failure {
  /** kube's dotted path of the failing value; '' at the root. */
  readonly path: string;
  readonly data: unknown;
  readonly params: Record<string, unknown>;
}

type Render = (failure: Failure) => Omit<StatusCause, 'field'> & { readonly field?: string };

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const invalid = (value: unknown, detail: string): Omit<StatusCause, 'field'> =>
  ({ reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: ${detail}` });

const limit = (failure: Failure): number => Number(failure.params['limit']);
const size = (data: unknown): number => (Array.isArray(data) ? data.length : isRecord(data) ? Object.keys(data).length : 0);

function typeFailure({ path, data, params }: Failure): Omit<StatusCause, 'field'> {
  const declared = (Array.isArray(params['type']) ? params['type'] : String(params['type']).split(','))
    .filter((t) => t !== 'null').join(',');
  const actual = jsonType(data);
  return { reason: 'FieldValueTypeInvalid', message: `Invalid value: ${goQuote(actual)}: ${path} in body must be of type ${declared}: ${goQuote(actual)}` };
}

function enumFailure({ data, params }: Failure): Omit<StatusCause, 'field'> {
  const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'] : [];
  const quoted = allowed.map((v: unknown) => goQuote(typeof v === 'string' ? v : JSON.stringify(v)));
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${goValue(data)}: supported values: ${quoted.join(', ')}` };
}

const bound = (phrase: string): Render => (f) => invalid(f.data, `${f.path} in body should be ${phrase} ${goNumber(limit(f))}`);

/** Composite failures the real server reports without a field (its path is printed as <nil>). */
const composite = (text: string): Render => (f) => ({ ...invalid('', `${goQuote(f.path)} ${text}`), field: '<nil>' });

const renderers: Readonly<Record<string, Render>> = {
  type: typeFailure,
  enum: enumFailure,
  required: () => ({ reason: 'FieldValueRequired', message: 'Required value' }),
  format: (f) => ({ reason: 'FieldValueTypeInvalid', message: `Invalid value: ${goValue(f.data)}: ${f.path} in body must be of type ${String(f.params['format'])}: ${goValue(f.data)}` }),
  minimum: bound('greater than or equal to'),
  exclusiveMinimum: bound('greater than'),
  maximum: bound('less than or equal to'),
  exclusiveMaximum: bound('less than'),
  multipleOf: (f) => invalid(f.data, `${f.path} in body should be a multiple of ${goNumber(Number(f.params['multipleOf']))}`),
  pattern: (f) => invalid(f.data, `${f.path} in body should match '${String(f.params['pattern'])}'`),
  minLength: (f) => invalid(f.data, `${f.path} in body should be at least ${limit(f)} chars long`),
  maxLength: (f) => ({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${limit(f)} bytes` }),
  minItems: (f) => invalid(size(f.data), `${f.path} in body should have at least ${limit(f)} items`),
  maxItems: (f) => ({ reason: 'FieldValueTooMany', message: `Too many: ${size(f.data)}: must have at most ${limit(f)} items` }),
  uniqueItems: (f) => invalid('', `${f.path} in body shouldn't contain duplicates`),
  minProperties: (f) => invalid(size(f.data), `${f.path} in body should have at least ${limit(f)} properties`),
  maxProperties: (f) => ({ reason: 'FieldValueTooMany', message: `Too many: ${size(f.data)}: must have at most ${limit(f)} items` }),
  anyOf: composite('must validate at least one schema (anyOf)'),
  oneOf: composite('must validate one and only one schema (oneOf).'),
  not: composite('must not validate the schema (not)'),
};

/** The value path of a JSON pointer, array indexes as numbers. */
function segmentsOf(pointer: string, root: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  let current: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Array.isArray(current) ? Number(key) : undefined;
    out.push(index ?? key);
    current = index !== undefined ? (current as unknown[])[index] : isRecord(current) ? current[key] : undefined;
  }
  return out;
}

/** `spec.backends[1].weight`, as kube-openapi names a value. */
export function kubePath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, s) => (typeof s === 'number' ? `${path}[${s}]` : path === '' ? s : `${path}.${s}`), '');
}

/** Errors inside an anyOf/oneOf/not branch are summed up by that keyword's own error. */
function insideAlternative(schemaPath: string): boolean {
  const parts = schemaPath.split('/').slice(1);
  for (let i = 0; i < parts.length - 1; i += 1) {
    const part = parts[i];
    if (part === 'properties') i += 1;
    else if (part === 'anyOf' || part === 'oneOf' || part === 'not') return true;
  }
  return false;
}

function toCause(error: ErrorObject, root: unknown): SchemaCause | undefined {
  if (insideAlternative(error.schemaPath)) return undefined;
  const at = segmentsOf(error.instancePath, root);
  const missing = error.keyword === 'required' ? String((error.params as Record<string, unknown>)['missingProperty']) : undefined;
  const path = kubePath(missing === undefined ? at : [...at, missing]);
  const render: Render = renderers[error.keyword] ?? ((f: Failure) => invalid(f.data, `${f.path} ${error.message ?? 'is invalid'}`));
  const rendered = render({ path, data: error.data, params: error.params as Record<string, unknown> });
  const field = rendered.field ?? (path === '' ? undefined : path);
  const cause: StatusCause = field === undefined ? { reason: rendered.reason, message: rendered.message } : { reason: rendered.reason, message: rendered.message, field };
  return { cause, at };
}

/** The causes for ajv's errors on `root`, duplicates dropped as the real server's aggregate does. */
export function toCauses(errors: readonly ErrorObject[], root: unknown): SchemaCause[] {
  const seen = new Set<string>();
  const out: SchemaCause[] = [];
  for (const error of errors) {
    const cause = toCause(error, root);
    const key = cause === undefined ? '' : `${cause.cause.field ?? ''}: ${cause.cause.message}`;
    if (cause === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push(cause);
  }
  return out;
}
