// CustomResourceDefinitions: applying one serves its group/versions at once (conversion by
// relabelling apiVersion), marks it Established, and deleting it removes its objects.
import type { Cluster } from './cluster.ts';
import { deepEqual, isRecord, type JsonRecord } from './json.ts';
import { timestamp } from './names.ts';
import { compareVersions } from './registry.ts';
import type { StoreEvent } from './store.ts';
import type { KubeObject, PrinterColumn, ResourceType } from './types.ts';

export const crdResource = 'apiextensions.k8s.io/customresourcedefinitions';

const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function columnsOf(version: JsonRecord): PrinterColumn[] {
  const raw = Array.isArray(version['additionalPrinterColumns']) ? version['additionalPrinterColumns'].filter(isRecord) : [];
  if (raw.length === 0) return [ageColumn];
  return raw.map((c) => ({
    name: String(c['name'] ?? ''),
    type: String(c['type'] ?? 'string'),
    description: String(c['description'] ?? ''),
    priority: typeof c['priority'] === 'number' ? c['priority'] : 0,
    jsonPath: String(c['jsonPath'] ?? ''),
  }));
}

/** The resource a CRD serves, or undefined when no version is served. */
export function crdToType(crd: KubeObject): ResourceType | undefined {
  const spec = isRecord(crd['spec']) ? crd['spec'] : {};
  const names = isRecord(spec['names']) ? spec['names'] : {};
  const versions = (Array.isArray(spec['versions']) ? spec['versions'] : []).filter(isRecord);
  const served = versions.filter((v) => v['served'] === true);
  const storage = versions.find((v) => v['storage'] === true);
  if (served.length === 0 || storage === undefined) return undefined;
  const columns = new Map(served.map((v) => [String(v['name']), columnsOf(v)]));
  const kind = String(names['kind'] ?? '');
  return {
    group: String(spec['group'] ?? ''),
    versions: served.map((v) => String(v['name'])).sort(compareVersions),
    storageVersion: String(storage['name']),
    kind,
    listKind: typeof names['listKind'] === 'string' ? names['listKind'] : `${kind}List`,
    plural: String(names['plural'] ?? ''),
    singular: typeof names['singular'] === 'string' ? names['singular'] : kind.toLowerCase(),
    shortNames: strings(names['shortNames']),
    categories: strings(names['categories']),
    namespaced: spec['scope'] !== 'Cluster',
    subresources: { status: served.some((v) => isRecord(v['subresources']) && v['subresources']['status'] !== undefined), scale: false },
    generation: 'all-but-status',
    nameRule: 'subdomain',
    deleteReturnsObject: true,
    columns: (version) => columns.get(version) ?? [ageColumn],
    fieldSelectors: [],
    crd: crd.metadata.name ?? '',
  };
}

function condition(type: string, reason: string, message: string, now: string): JsonRecord {
  return { type, status: 'True', lastTransitionTime: now, reason, message };
}

/** The status the apiextensions controllers would write. */
function acceptedStatus(crd: KubeObject, type: ResourceType, now: string): JsonRecord {
  const previous = isRecord(crd['status']) ? crd['status'] : {};
  const stored = new Set([...strings(previous['storedVersions']), type.storageVersion]);
  const previousConditions = Array.isArray(previous['conditions']) ? previous['conditions'] : [];
  const conditions = previousConditions.length > 0 ? previousConditions : [
    condition('NamesAccepted', 'NoConflicts', 'no conflicts found', now),
    condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted', now),
  ];
  const spec = isRecord(crd['spec']) ? crd['spec'] : {};
  return { conditions, acceptedNames: spec['names'], storedVersions: [...stored] };
}

function onCrdEvent(cluster: Cluster, event: StoreEvent): void {
  if (event.resource !== crdResource) return;
  const previous = event.previous === undefined ? undefined : crdToType(event.previous);
  if (event.type === 'DELETED') {
    if (previous !== undefined) removeType(cluster, previous);
    return;
  }
  const type = crdToType(event.object);
  if (previous !== undefined && (type === undefined || previous.plural !== type.plural || previous.group !== type.group)) {
    removeType(cluster, previous);
  }
  if (type === undefined) return;
  cluster.registry.register(type);
  const status = acceptedStatus(event.object, type, timestamp(cluster.now()));
  if (!deepEqual(status, event.object['status'])) cluster.store.put(crdResource, { ...event.object, status });
}

function removeType(cluster: Cluster, type: ResourceType): void {
  cluster.registry.unregister(type.group, type.plural);
  const resource = `${type.group}/${type.plural}`;
  for (const object of cluster.store.list(resource)) cluster.store.remove(resource, object.metadata.namespace, object.metadata.name ?? '');
}

/** Keeps served custom resources in step with stored CRDs; returns the unsubscribe function. */
export function serveCrds(cluster: Cluster): () => void {
  return cluster.store.subscribe((event) => onCrdEvent(cluster, event));
}
