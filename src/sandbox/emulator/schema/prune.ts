// Pruning as the real server does it before validation: fields a structural schema does not
// describe are dropped unless a node says `x-kubernetes-preserve-unknown-fields`; null values of
// fields that are not `nullable` are dropped too (the server prunes them, it does not refuse
// them). The object root, and any `x-kubernetes-embedded-resource`, keeps apiVersion, kind and
// metadata, metadata cut to ObjectMeta's fields.
import { isRecord, type JsonRecord } from '../json.ts';
import type { KubeObject } from '../types.ts';

const preserveKey = 'x-kubernetes-preserve-unknown-fields';

/** ObjectMeta's JSON fields: anything else in metadata is dropped, as decoding into ObjectMeta does. */
const objectMetaFields = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

function coerceMetadata(value: unknown): unknown {
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => objectMetaFields.has(key)));
}

/** `additionalProperties: true`: any value, kept as it is. */
const openSchema: JsonRecord = { [preserveKey]: true };

/** The schema of `key` in an object node: its property, else additionalProperties. */
function fieldSchema(node: JsonRecord | undefined, key: string): JsonRecord | undefined {
  if (node === undefined) return undefined;
  const properties = isRecord(node['properties']) ? node['properties'] : {};
  const property = properties[key];
  if (isRecord(property)) return property;
  const additional = node['additionalProperties'];
  if (additional === true) return openSchema;
  return isRecord(additional) ? additional : undefined;
}

function itemsSchema(node: JsonRecord | undefined): JsonRecord | undefined {
  return node !== undefined && isRecord(node['items']) ? node['items'] : undefined;
}

/** apiVersion and kind (as strings) and metadata of an embedded resource are kept as they are. */
function embeddedField(node: JsonRecord, key: string, value: unknown): boolean {
  if (node['x-kubernetes-embedded-resource'] !== true) return false;
  if (key === 'apiVersion' || key === 'kind') return typeof value === 'string';
  return key === 'metadata';
}

/** A null the schema does not allow: dropped before validation. */
function droppedNull(value: unknown, schema: JsonRecord | undefined): boolean {
  return value === null && schema !== undefined && schema !== openSchema && schema['nullable'] !== true;
}

function pruneRecord(value: JsonRecord, node: JsonRecord | undefined, preserve: boolean): JsonRecord {
  const out: JsonRecord = {};
  for (const [key, child] of Object.entries(value)) {
    if (node !== undefined && embeddedField(node, key, child)) {
      out[key] = key === 'metadata' ? coerceMetadata(child) : child;
      continue;
    }
    const schema = fieldSchema(node, key);
    if (droppedNull(child, schema)) continue;
    if (schema !== undefined) out[key] = prune(child, schema);
    else if (preserve) out[key] = child;
  }
  return out;
}

/**
 * `value` without the fields `node` does not describe (a new value; the argument is not
 * changed). Under a preserve-unknown-fields node, described fields are still pruned by their
 * own schema; arrays there keep their items' unknown fields, as the real server does.
 */
export function prune(value: unknown, node: JsonRecord | undefined): unknown {
  const preserve = node?.[preserveKey] === true;
  if (Array.isArray(value)) {
    const items = itemsSchema(node);
    return value.map((item) => (preserve ? skipPrune(item, items) : prune(item, items)));
  }
  return isRecord(value) ? pruneRecord(value, node, preserve) : value;
}

/** An item of an array under a preserve-unknown node: only its described fields are pruned. */
function skipPrune(value: unknown, node: JsonRecord | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => skipPrune(item, itemsSchema(node)));
  return isRecord(value) ? pruneRecord(value, node, true) : value;
}

/** A whole custom resource, pruned by its version's root schema. */
export function pruneResource(object: KubeObject, root: JsonRecord): KubeObject {
  const asEmbedded = { ...root, 'x-kubernetes-embedded-resource': true };
  return pruneRecord(object, asEmbedded, root[preserveKey] === true) as KubeObject;
}
