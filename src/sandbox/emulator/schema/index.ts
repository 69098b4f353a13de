// Structural schemas of custom resources: each served CRD version's openAPIV3Schema compiled
// once (when the CRD is written), then used to prune and validate every write of its objects.
import { Ajv, type ValidateFunction } from 'ajv';
import { deepEqual, isRecord, readPath, rec, str, type JsonRecord } from '../json.ts';
import type { KubeObject, ObjectSchema, StatusCause } from '../types.ts';
import { toCauses, type SchemaCause } from './causes.ts';
import { formatCheck } from './formats.ts';
import { pruneResource } from './prune.ts';
import { toAjv } from './to-ajv.ts';

/** One validator for every emulator in the process; compiled schemas are removed from its cache. */
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, unicodeRegExp: false, validateSchema: false });

function addFormats(node: unknown): void {
  if (Array.isArray(node)) node.forEach(addFormats);
  if (!isRecord(node)) return;
  const format = node['format'];
  const check = typeof format === 'string' ? formatCheck(format) : undefined;
  if (check !== undefined) ajv.addFormat(format as string, { type: 'string', validate: check });
  Object.values(node).forEach(addFormats);
}

/** The compiled validator, or undefined when ajv cannot compile the schema (nothing is then checked). */
function compile(root: JsonRecord): ValidateFunction | undefined {
  const schema = toAjv(root);
  addFormats(schema);
  try {
    return ajv.compile(schema);
  } catch {
    return undefined;
  } finally {
    ajv.removeSchema(schema);
  }
}

/** Where ratcheting compares old and new: the value itself, or the whole list it sits in (lists are atomic). */
function ratchetNode(at: readonly (string | number)[]): string[] {
  const index = at.findIndex((s) => typeof s === 'number');
  return (index === -1 ? at : at.slice(0, index)).map(String);
}

/** On updates, failures in values the update did not change are let through (CRD validation ratcheting). */
function ratchet(causes: readonly SchemaCause[], object: KubeObject, previous: KubeObject | undefined): StatusCause[] {
  const kept = previous === undefined ? causes : causes.filter(({ at }) => {
    const node = ratchetNode(at);
    return !deepEqual(readPath(object, node), readPath(previous, node));
  });
  return kept.map((c) => c.cause);
}

/** One version's schema, ready to prune (unless `pruning` is off) and validate objects. */
export function compileVersionSchema(root: JsonRecord, pruning = true): ObjectSchema {
  const validate = compile(root);
  return {
    prune: (object) => (pruning ? pruneResource(object, root) : object),
    validate: (object, previous) => {
      if (validate === undefined || validate(object)) return [];
      return ratchet(toCauses(validate.errors ?? [], object), object, previous);
    },
  };
}

function servedVersions(crd: KubeObject): JsonRecord[] {
  const versions = rec(crd['spec'])['versions'];
  return (Array.isArray(versions) ? versions : []).filter(isRecord).filter((v) => v['served'] === true);
}

/** What the compiled schemas depend on: a CRD write that leaves it equal needs no recompiling. */
export function schemaSource(crd: KubeObject): unknown {
  return {
    preserveUnknownFields: rec(crd['spec'])['preserveUnknownFields'],
    versions: servedVersions(crd).map((v) => [v['name'], rec(v['schema'])['openAPIV3Schema']]),
  };
}

/**
 * The schemas of a CRD's served versions. A version without a schema (which apiextensions/v1
 * would refuse) gets none: its objects are stored as sent. The legacy `preserveUnknownFields:
 * true` turns pruning off but keeps validation.
 */
export function compileCrdSchemas(crd: KubeObject): (version: string) => ObjectSchema | undefined {
  const pruning = rec(crd['spec'])['preserveUnknownFields'] !== true;
  const byVersion = new Map<string, ObjectSchema>();
  for (const version of servedVersions(crd)) {
    const root = rec(version['schema'])['openAPIV3Schema'];
    if (isRecord(root)) byVersion.set(str(version['name']), compileVersionSchema(root, pruning));
  }
  return (version) => byVersion.get(version);
}

/** True when two CRD writes compile to the same schemas. */
export function sameSchemas(a: KubeObject | undefined, b: KubeObject): boolean {
  return a !== undefined && deepEqual(schemaSource(a), schemaSource(b));
}
