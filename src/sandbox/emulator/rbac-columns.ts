// Table columns for ServiceAccounts and RBAC kinds, as `kubectl get` prints them from the real
// server: roles by creation time, bindings by their role and (wide) their subjects.
import { age } from './age.ts';
import { isRecord, rec, str } from './json.ts';
import type { KubeObject, PrinterColumn } from './types.ts';

const ageColumn: PrinterColumn = { name: 'Age', type: 'string', description: 'Time since creation', cell: (o, now) => age(o.metadata.creationTimestamp, now) };

function subjects(o: KubeObject, kind: string): Record<string, unknown>[] {
  const list = Array.isArray(o['subjects']) ? o['subjects'] : [];
  return list.filter(isRecord).filter((s) => s['kind'] === kind);
}

const names = (o: KubeObject, kind: string): string => subjects(o, kind).map((s) => str(s['name'])).join(', ');

function serviceAccounts(o: KubeObject): string {
  return subjects(o, 'ServiceAccount').map((s) => `${str(s['namespace'], o.metadata.namespace ?? '')}/${str(s['name'])}`).join(', ');
}

export const roleColumns: readonly PrinterColumn[] = [
  { name: 'Created At', type: 'string', cell: (o) => o.metadata.creationTimestamp ?? '' },
];

export const bindingColumns: readonly PrinterColumn[] = [
  { name: 'Role', type: 'string', cell: (o) => `${str(rec(o['roleRef'])['kind'])}/${str(rec(o['roleRef'])['name'])}` },
  ageColumn,
  { name: 'Users', type: 'string', priority: 1, cell: (o) => names(o, 'User') },
  { name: 'Groups', type: 'string', priority: 1, cell: (o) => names(o, 'Group') },
  { name: 'ServiceAccounts', type: 'string', priority: 1, cell: serviceAccounts },
];

export const serviceAccountColumns: readonly PrinterColumn[] = [
  { name: 'Secrets', type: 'integer', cell: (o) => (Array.isArray(o['secrets']) ? o['secrets'].length : 0) },
  ageColumn,
];
