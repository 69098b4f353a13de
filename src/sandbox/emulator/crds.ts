// CustomResourceDefinitions: applying one serves its group/versions at once (conversion by
// relabelling apiVersion), compiles their schemas, marks it Established, and deleting it
// removes its objects.
import type { Cluster } from './cluster.ts';
import { deepEqual, isRecord, rec, str, type JsonRecord } from './json.ts';
import { timestamp } from './names.ts';
import { compareVersions } from './registry.ts';
import { compileCrdSchemas, sameSchemas } from './schema/index.ts';
import { typeKey, type StoreEvent } from './store.ts';
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
    name: str(c['name']),
    type: str(c['type'], 'string'),
    description: str(c['description']),
    priority: typeof c['priority'] === 'number' ? c['priority'] : 0,
    jsonPath: str(c['jsonPath']),
  }));
}

function namesOf(spec: JsonRecord): Pick<ResourceType, 'kind' | 'listKind' | 'plural' | 'singular' | 'shortNames' | 'categories'> {
  const names = rec(spec['names']);
  const kind = str(names['kind']);
  return {
    kind,
    listKind: str(names['listKind'], `${kind}List`),
    plural: str(names['plural']),
    singular: str(names['singular'], kind.toLowerCase()),
    shortNames: strings(names['shortNames']),
    categories: strings(names['categories']),
  };
}

/** The resource a CRD serves, or undefined when no version is served. */
export function crdToType(crd: KubeObject): ResourceType | undefined {
  const spec = rec(crd['spec']);
  const versions = (Array.isArray(spec['versions']) ? spec['versions'] : []).filter(isRecord);
  const served = versions.filter((v) => v['served'] === true);
  const storage = versions.find((v) => v['storage'] === true);
  if (served.length === 0 || storage === undefined) return undefined;
  const columns = new Map(served.map((v) => [str(v['name']), columnsOf(v)]));
  const status = served.some((v) => rec(v['subresources'])['status'] !== undefined);
  return {
    ...namesOf(spec),
    group: str(spec['group']),
    versions: served.map((v) => str(v['name'])).sort(compareVersions),
    storageVersion: str(storage['name']),
    namespaced: spec['scope'] !== 'Cluster',
    subresources: { status, scale: false },
    generation: status ? 'all-but-status' : 'all',
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

function sameResource(a: ResourceType, b: ResourceType | undefined): boolean {
  return b !== undefined && a.plural === b.plural && a.group === b.group;
}

/** The type with its versions' schemas: compiled again only when the CRD's schemas changed. */
function withSchemas(cluster: Cluster, event: StoreEvent, type: ResourceType): ResourceType {
  const registered = cluster.registry.byKey(typeKey(type))?.schema;
  const reuse = registered !== undefined && sameSchemas(event.previous, event.object);
  return { ...type, schema: reuse ? registered : compileCrdSchemas(event.object) };
}

function onCrdEvent(cluster: Cluster, event: StoreEvent): void {
  if (event.resource !== crdResource) return;
  const previous = event.previous === undefined ? undefined : crdToType(event.previous);
  const type = event.type === 'DELETED' ? undefined : crdToType(event.object);
  if (previous !== undefined && !sameResource(previous, type)) removeType(cluster, previous);
  if (type === undefined) return;
  cluster.registry.register(withSchemas(cluster, event, type));
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
