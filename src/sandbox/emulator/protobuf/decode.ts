// Schema-driven decoding of Kubernetes protobuf messages into the JSON the API would accept.
// Fields the schema does not name are skipped; zero values Go would omit are dropped.
import { timestamp } from '../names.ts';
import { WireReader } from './wire.ts';

export type Scalar = 'string' | 'int' | 'bool' | 'bytes' | 'raw' | 'time' | 'intOrString' | 'quantity';
export type FieldType = Scalar | { readonly map: FieldType } | (() => Schema);
/** field number → [JSON name, type, repeated] */
export type Schema = Readonly<Record<number, readonly [string, FieldType, 'repeated'?]>>;

const timeSchema: Schema = { 1: ['seconds', 'int'], 2: ['nanos', 'int'] };
const intOrStringSchema: Schema = { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] };
const quantitySchema: Schema = { 1: ['string', 'string'] };

const text = new TextDecoder();

const scalars: Readonly<Record<Scalar, (bytes: Uint8Array) => unknown>> = {
  string: (bytes) => text.decode(bytes),
  bytes: (bytes) => Buffer.from(bytes).toString('base64'),
  raw: (bytes) => bytes,
  time: (bytes) => {
    const seconds = Number(decodeMessage(bytes, timeSchema)['seconds'] ?? 0);
    return seconds === 0 ? undefined : timestamp(seconds * 1000);
  },
  intOrString: (bytes) => {
    const v = decodeMessage(bytes, intOrStringSchema);
    return v['type'] === 1 ? (v['strVal'] ?? '') : (v['intVal'] ?? 0);
  },
  quantity: (bytes) => decodeMessage(bytes, quantitySchema)['string'],
  int: () => undefined,
  bool: () => undefined,
};

function value(reader: WireReader, wire: number, type: FieldType): unknown {
  if (type === 'int' || type === 'bool') {
    if (wire !== 0) throw new RangeError('expected a varint');
    const n = reader.varint();
    return type === 'bool' ? n !== 0 : n;
  }
  if (wire !== 2) throw new RangeError('expected a length-delimited field');
  const bytes = reader.bytes();
  if (typeof type === 'function') return decodeMessage(bytes, type());
  if (typeof type === 'object') return decodeMessage(bytes, { 1: ['key', 'string'], 2: ['value', type.map] });
  return scalars[type](bytes);
}

function store(out: Record<string, unknown>, field: readonly [string, FieldType, 'repeated'?], decoded: unknown): void {
  const [name, type, repeated] = field;
  if (typeof type === 'object') {
    const entry = decoded as { key?: string; value?: unknown };
    const map = (out[name] ?? {}) as Record<string, unknown>;
    map[entry.key ?? ''] = entry.value ?? (type.map === 'string' ? '' : undefined);
    out[name] = map;
  } else if (repeated === 'repeated') {
    out[name] = [...((out[name] as unknown[] | undefined) ?? []), decoded];
  } else if (!omitted(name, decoded)) {
    out[name] = decoded;
  }
}

/** Decodes one message; throws RangeError on malformed input. */
export function decodeMessage(bytes: Uint8Array, schema: Schema): Record<string, unknown> {
  const reader = new WireReader(bytes);
  const out: Record<string, unknown> = {};
  while (!reader.done) {
    const { field, wire } = reader.tag();
    const def = schema[field];
    if (def === undefined) reader.skip(wire);
    else store(out, def, value(reader, wire, def[1]));
  }
  return out;
}

/** Zero values that mean something even when zero. */
const keepZero = new Set(['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'terminationGracePeriodSeconds', 'containerPort', 'port']);
/** Empty messages that the API shows as `{}`. */
const keepEmpty = new Set(['resources', 'securityContext', 'spec', 'metadata', 'emptyDir']);

/** Go's JSON encoding omits these (omitempty): empty strings, false, zeros, empty messages. */
function omitted(name: string, decoded: unknown): boolean {
  if (decoded === undefined || decoded === '' || decoded === false) return true;
  if (decoded === 0) return !keepZero.has(name);
  const empty = typeof decoded === 'object' && decoded !== null && !(decoded instanceof Uint8Array) && Object.keys(decoded).length === 0;
  return empty && !keepEmpty.has(name);
}
