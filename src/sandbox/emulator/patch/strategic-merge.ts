// Strategic merge patch for built-in kinds: lists merge by the Kubernetes merge keys
// (containers/env/volumes by name, container ports by containerPort, service ports by port, ...),
// with the $patch, $retainKeys, $setElementOrder and $deleteFromPrimitiveList directives.
import { clone, isRecord, type JsonRecord } from '../json.ts';

const mergeKeys: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

/** Lists of scalars merged as sets. */
const primitiveSets = new Set(['finalizers']);

function keyFor(field: string, items: readonly unknown[]): string | undefined {
  if (field === 'ports') return items.some((i) => isRecord(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  return mergeKeys[field];
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isRecord(value)) return value;
  const out: JsonRecord = {};
  for (const [k, v] of Object.entries(value)) {
    if (!k.startsWith('$')) out[k] = stripDirectives(v);
  }
  return out;
}

function mergeKeyed(key: string, current: readonly unknown[], patch: readonly unknown[]): unknown[] {
  const result = [...current];
  for (const item of patch) {
    if (!isRecord(item)) continue;
    const index = result.findIndex((c) => isRecord(c) && c[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (index !== -1) result.splice(index, 1);
      continue;
    }
    const existing = result[index];
    if (isRecord(existing)) result[index] = mergeMap(existing, item) ?? existing;
    else result.push(stripDirectives(item));
  }
  return result;
}

function mergeList(field: string, current: unknown, patch: readonly unknown[]): unknown[] {
  const replace = patch.some((i) => isRecord(i) && i['$patch'] === 'replace');
  const base: readonly unknown[] = Array.isArray(current) && !replace ? current : [];
  if (replace) return patch.filter((i) => !(isRecord(i) && i['$patch'] === 'replace')).map(stripDirectives);
  if (primitiveSets.has(field)) return [...base, ...patch.filter((p) => !base.includes(p))];
  const key = keyFor(field, [...base, ...patch]);
  if (key === undefined) return patch.map(stripDirectives);
  return mergeKeyed(key, base, patch);
}

function orderBy(list: unknown, order: unknown): unknown {
  if (!Array.isArray(list) || !Array.isArray(order)) return list;
  const items: readonly unknown[] = list;
  const same = (o: unknown, v: unknown): boolean =>
    isRecord(o) && isRecord(v) ? Object.entries(o).every(([k, x]) => v[k] === x) : o === v;
  const rank = (v: unknown): number => {
    const index = order.findIndex((o) => same(o, v));
    return index === -1 ? order.length : index;
  };
  return [...items].sort((a, b) => rank(a) - rank(b));
}

function applyDirectives(result: JsonRecord, patch: JsonRecord): void {
  for (const [key, value] of Object.entries(patch)) {
    const [directive, field = ''] = key.split('/');
    if (directive === '$deleteFromPrimitiveList' && Array.isArray(result[field]) && Array.isArray(value)) {
      result[field] = result[field].filter((v) => !value.includes(v));
    } else if (directive === '$setElementOrder') {
      result[field] = orderBy(result[field], value);
    }
  }
  const retain = patch['$retainKeys'];
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
}

function mergeValue(result: JsonRecord, key: string, value: unknown): void {
  if (value === null) {
    delete result[key];
    return;
  }
  if (isRecord(value)) {
    const merged = mergeMap(isRecord(result[key]) ? result[key] : {}, value);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
    return;
  }
  result[key] = Array.isArray(value) ? mergeList(key, result[key], value) : value;
}

/** Merges `patch` into `target`; undefined means "delete this map" ($patch: delete). */
function mergeMap(target: JsonRecord, patch: JsonRecord): JsonRecord | undefined {
  if (patch['$patch'] === 'delete') return undefined;
  if (patch['$patch'] === 'replace') return stripDirectives(patch) as JsonRecord;
  const result: JsonRecord = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith('$')) mergeValue(result, key, value);
  }
  applyDirectives(result, patch);
  return result;
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  return mergeMap(isRecord(target) ? clone(target) : {}, patch) ?? {};
}
