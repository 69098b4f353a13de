// The default RBAC objects a new cluster has (a subset of Kubernetes' bootstrap policy):
// cluster-admin for system:masters; discovery, health/version and self access reviews for every
// authenticated user; and the aggregated admin/edit/view roles, which here carry only what
// aggregates into them (the real ones also hold Kubernetes' own rules for built-in kinds).
import type { Cluster } from './cluster.ts';
import { createObject } from './lifecycle.ts';

const rbac = 'rbac.authorization.k8s.io';
const metadata = (name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

const get = ['get'];
const discoveryUrls = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const publicUrls = ['/healthz', '/livez', '/readyz', '/version', '/version/'];
const aggregateLabel = (role: string): string => `${rbac}/aggregate-to-${role}`;

function aggregated(name: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return { metadata: metadata(name, labels), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateLabel(name)]: 'true' } }] }, rules: [] };
}

const clusterRoles: readonly Record<string, unknown>[] = [
  { metadata: metadata('cluster-admin'), rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }] },
  { metadata: metadata('system:discovery'), rules: [{ nonResourceURLs: discoveryUrls, verbs: get }] },
  { metadata: metadata('system:public-info-viewer'), rules: [{ nonResourceURLs: publicUrls, verbs: get }] },
  {
    metadata: metadata('system:basic-user'),
    rules: [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ],
  },
  aggregated('admin'),
  aggregated('edit', { [aggregateLabel('admin')]: 'true' }),
  aggregated('view', { [aggregateLabel('edit')]: 'true' }),
];

function binding(name: string, groups: readonly string[]): Record<string, unknown> {
  return {
    metadata: metadata(name),
    roleRef: { apiGroup: rbac, kind: 'ClusterRole', name },
    subjects: groups.map((group) => ({ apiGroup: rbac, kind: 'Group', name: group })),
  };
}

const clusterRoleBindings: readonly Record<string, unknown>[] = [
  binding('cluster-admin', ['system:masters']),
  binding('system:discovery', ['system:authenticated']),
  binding('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
  binding('system:basic-user', ['system:authenticated']),
];

/** Creates the default ClusterRoles and ClusterRoleBindings in a new cluster. */
export function seedRbac(cluster: Cluster): void {
  for (const [plural, objects] of [['clusterroles', clusterRoles], ['clusterrolebindings', clusterRoleBindings]] as const) {
    const type = cluster.registry.byKey(`${rbac}/${plural}`);
    if (type === undefined) continue;
    for (const object of objects) createObject(cluster, { type, version: 'v1', namespace: undefined }, object);
  }
}
