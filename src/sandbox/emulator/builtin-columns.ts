// Table columns for built-in kinds: simple versions of what the real server prints.
import { age } from './age.ts';
import { isRecord, readPath, str as text } from './json.ts';
import { selectorText } from './selectors.ts';
import type { KubeObject, PrinterColumn } from './types.ts';

const ageColumn: PrinterColumn = {
  name: 'Age', type: 'string', description: 'Time since creation',
  cell: (o, now) => age(o.metadata.creationTimestamp, now),
};

function num(o: KubeObject, ...path: string[]): number {
  const value = readPath(o, path);
  return typeof value === 'number' ? value : 0;
}

function str(o: KubeObject, ...path: string[]): string {
  const value = readPath(o, path);
  return typeof value === 'string' ? value : '';
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function containers(o: KubeObject): Record<string, unknown>[] {
  return records(readPath(o, ['spec', 'template', 'spec', 'containers']));
}

export const deploymentColumns: readonly PrinterColumn[] = [
  { name: 'Ready', type: 'string', cell: (o) => `${num(o, 'status', 'readyReplicas')}/${num(o, 'spec', 'replicas')}` },
  { name: 'Up-to-date', type: 'integer', cell: (o) => num(o, 'status', 'updatedReplicas') },
  { name: 'Available', type: 'integer', cell: (o) => num(o, 'status', 'availableReplicas') },
  ageColumn,
  { name: 'Containers', type: 'string', priority: 1, cell: (o) => containers(o).map((c) => c['name']).join(',') },
  { name: 'Images', type: 'string', priority: 1, cell: (o) => containers(o).map((c) => c['image']).join(',') },
  { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorText(readPath(o, ['spec', 'selector'])) },
];

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp !== undefined) return 'Terminating';
  const waiting = records(readPath(o, ['status', 'containerStatuses']))
    .map((c) => readPath(c, ['state', 'waiting', 'reason']))
    .find((r): r is string => typeof r === 'string');
  return waiting ?? str(o, 'status', 'phase');
}

function podReady(o: KubeObject): string {
  const statuses = records(readPath(o, ['status', 'containerStatuses']));
  const total = records(readPath(o, ['spec', 'containers'])).length;
  return `${statuses.filter((c) => c['ready'] === true).length}/${total}`;
}

export const podColumns: readonly PrinterColumn[] = [
  { name: 'Ready', type: 'string', cell: podReady },
  { name: 'Status', type: 'string', cell: podStatus },
  { name: 'Restarts', type: 'string', cell: (o) => String(records(readPath(o, ['status', 'containerStatuses'])).reduce((n, c) => n + (typeof c['restartCount'] === 'number' ? c['restartCount'] : 0), 0)) },
  ageColumn,
  { name: 'IP', type: 'string', priority: 1, cell: (o) => str(o, 'status', 'podIP') || '<none>' },
  { name: 'Node', type: 'string', priority: 1, cell: (o) => str(o, 'spec', 'nodeName') || '<none>' },
];

function ports(o: KubeObject): string {
  const list = records(readPath(o, ['spec', 'ports'])).map((p) => `${JSON.stringify(p['port'] ?? '')}/${text(p['protocol'], 'TCP')}`);
  return list.length === 0 ? '<none>' : list.join(',');
}

export const serviceColumns: readonly PrinterColumn[] = [
  { name: 'Type', type: 'string', cell: (o) => str(o, 'spec', 'type') },
  { name: 'Cluster-IP', type: 'string', cell: (o) => str(o, 'spec', 'clusterIP') || '<none>' },
  { name: 'External-IP', type: 'string', cell: () => '<none>' },
  { name: 'Port(s)', type: 'string', cell: ports },
  ageColumn,
];

export const namespaceColumns: readonly PrinterColumn[] = [
  { name: 'Status', type: 'string', cell: (o) => str(o, 'status', 'phase') },
  ageColumn,
];

const dataCount = (o: KubeObject): number =>
  Object.keys(isRecord(o['data']) ? o['data'] : {}).length + Object.keys(isRecord(o['binaryData']) ? o['binaryData'] : {}).length;

export const configMapColumns: readonly PrinterColumn[] = [{ name: 'Data', type: 'integer', cell: dataCount }, ageColumn];

export const secretColumns: readonly PrinterColumn[] = [
  { name: 'Type', type: 'string', cell: (o) => str(o, 'type') },
  { name: 'Data', type: 'integer', cell: dataCount },
  ageColumn,
];

export const leaseColumns: readonly PrinterColumn[] = [
  { name: 'Holder', type: 'string', cell: (o) => str(o, 'spec', 'holderIdentity') },
  ageColumn,
];

export const eventColumns: readonly PrinterColumn[] = [
  { name: 'Type', type: 'string', cell: (o) => str(o, 'type') },
  { name: 'Reason', type: 'string', cell: (o) => str(o, 'reason') },
  { name: 'Object', type: 'string', cell: (o) => `${str(o, 'involvedObject', 'kind').toLowerCase()}/${str(o, 'involvedObject', 'name')}` },
  { name: 'Message', type: 'string', cell: (o) => str(o, 'message') || str(o, 'note') },
  ageColumn,
];

export const crdColumns: readonly PrinterColumn[] = [
  { name: 'Created At', type: 'string', cell: (o) => o.metadata.creationTimestamp ?? '' },
];

export const defaultColumns: readonly PrinterColumn[] = [ageColumn];
