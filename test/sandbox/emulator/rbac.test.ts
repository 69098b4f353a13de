// Authentication and RBAC authorization through @kubernetes/client-node, as a real API server
// answers them: 401 for unknown tokens, 403 with the real message, grants by bindings and roles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type RbacV1Subject, type V1PolicyRule } from '@kubernetes/client-node';
import { adminHeaders, withEmulator } from '../../support/emulator.ts';
import type { AuditRecord, Emulator } from '../../../src/sandbox/emulator/index.ts';
import { deployment, statusOf } from './fixtures.ts';

const controller = 'system:serviceaccount:fledge-system:fledge-controller';
const rbacGroup = 'rbac.authorization.k8s.io';
const serviceAccount: RbacV1Subject = { kind: 'ServiceAccount', name: 'fledge-controller', namespace: 'fledge-system' };

interface Setup {
  readonly emulator: Emulator;
  /** The cluster admin. */
  readonly admin: KubeConfig;
  /** The ServiceAccount fledge-system/fledge-controller, with no binding yet. */
  readonly sa: KubeConfig;
  readonly audit: AuditRecord[];
}

async function setup(t: Parameters<typeof withEmulator>[0]): Promise<Setup> {
  const audit: AuditRecord[] = [];
  const { emulator, kubeConfig: admin } = await withEmulator(t, { audit: (record) => audit.push(record) });
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'fledge-system' } } });
  await core.createNamespace({ body: { metadata: { name: 'shop' } } });
  await core.createNamespacedServiceAccount({ namespace: 'fledge-system', body: { metadata: { name: 'fledge-controller' } } });
  await admin.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'default', body: deployment('shop') });
  const sa = new KubeConfig();
  sa.loadFromString(emulator.serviceAccountKubeconfig('fledge-system', 'fledge-controller'));
  return { emulator, admin, sa, audit };
}

async function clusterRole(admin: KubeConfig, name: string, rules: V1PolicyRule[], labels?: Record<string, string>): Promise<void> {
  await admin.makeApiClient(RbacAuthorizationV1Api).createClusterRole({ body: { metadata: { name, ...(labels === undefined ? {} : { labels }) }, rules } });
}

async function bindCluster(admin: KubeConfig, role: string): Promise<void> {
  await admin.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
    body: { metadata: { name: `${role}-binding` }, roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role }, subjects: [serviceAccount] },
  });
}

async function bindIn(admin: KubeConfig, namespace: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }): Promise<void> {
  await admin.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace, body: { metadata: { name: `${roleRef.name}-binding` }, roleRef: { apiGroup: rbacGroup, ...roleRef }, subjects: [serviceAccount] },
  });
}

const readDeployments: V1PolicyRule[] = [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] }];

test('the cluster admin is allowed everything, and a new cluster has the default roles and bindings', async (t) => {
  const { admin } = await setup(t);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const roles = (await rbac.listClusterRole()).items.map((r) => r.metadata?.name);
  for (const name of ['cluster-admin', 'system:discovery', 'system:basic-user', 'admin', 'edit', 'view']) assert.ok(roles.includes(name), name);
  const binding = await rbac.readClusterRoleBinding({ name: 'cluster-admin' });
  assert.deepEqual(binding.subjects?.map((s) => [s.kind, s.name]), [['Group', 'system:masters']]);
});

test('an unknown token and a request without one answer 401 Unauthorized with a Status', async (t) => {
  const { emulator } = await setup(t);
  for (const headers of [{ Authorization: 'Bearer not-a-token' }, {}]) {
    const response = await fetch(`${emulator.url}/api/v1/namespaces`, { headers });
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  }
  assert.equal((await fetch(`${emulator.url}/version`)).status, 401, 'even discovery needs a user');
  const stranger = new KubeConfig();
  stranger.loadFromString(emulator.kubeconfig().replace('fledge-emulator-token', 'stolen'));
  assert.equal((await statusOf(stranger.makeApiClient(CoreV1Api).listNamespace())).code, 401);
});

test("a ServiceAccount's token is refused while the ServiceAccount does not exist", async (t) => {
  const { emulator, admin } = await setup(t);
  const ghost = new KubeConfig();
  ghost.loadFromString(emulator.serviceAccountKubeconfig('default', 'ghost'));
  const core = ghost.makeApiClient(CoreV1Api);
  assert.equal((await statusOf(core.listNamespacedConfigMap({ namespace: 'default' }))).code, 401);
  await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'ghost' } } });
  assert.equal((await statusOf(core.listNamespacedConfigMap({ namespace: 'default' }))).code, 403, 'known now, but not granted anything');
  await admin.makeApiClient(CoreV1Api).deleteNamespacedServiceAccount({ namespace: 'default', name: 'ghost' });
  assert.equal((await statusOf(core.listNamespacedConfigMap({ namespace: 'default' }))).code, 401);
});

test('a ServiceAccount without bindings reads discovery but is forbidden resources, with the real server\'s messages', async (t) => {
  const { sa } = await setup(t);
  const apps = sa.makeApiClient(AppsV1Api);
  await assert.doesNotReject(apps.getAPIResources());
  const get = await statusOf(apps.readNamespacedDeployment({ namespace: 'default', name: 'shop' }));
  assert.equal(get.code, 403);
  assert.equal(get.body.reason, 'Forbidden');
  assert.equal(get.body.message, `deployments.apps "shop" is forbidden: User "${controller}" cannot get resource "deployments" in API group "apps" in the namespace "default"`);
  assert.deepEqual(get.body.details, { name: 'shop', group: 'apps', kind: 'deployments' });
  const list = await statusOf(apps.listDeploymentForAllNamespaces());
  assert.equal(list.body.message, `deployments.apps is forbidden: User "${controller}" cannot list resource "deployments" in API group "apps" at the cluster scope`);
  const core = await statusOf(sa.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'shop' }));
  assert.equal(core.body.message, `configmaps is forbidden: User "${controller}" cannot list resource "configmaps" in API group "" in the namespace "shop"`);
  assert.deepEqual(core.body.details, { kind: 'configmaps' });
});

test('a ClusterRoleBinding grants its ClusterRole in every namespace, and a change applies to the next request', async (t) => {
  const { admin, sa } = await setup(t);
  const apps = sa.makeApiClient(AppsV1Api);
  await clusterRole(admin, 'deployment-reader', readDeployments);
  assert.equal((await statusOf(apps.listNamespacedDeployment({ namespace: 'shop' }))).code, 403, 'a role alone grants nothing');
  await bindCluster(admin, 'deployment-reader');
  assert.equal((await apps.readNamespacedDeployment({ namespace: 'default', name: 'shop' })).metadata?.name, 'shop');
  await assert.doesNotReject(apps.listNamespacedDeployment({ namespace: 'shop' }));
  await assert.doesNotReject(apps.listDeploymentForAllNamespaces());
  assert.equal((await statusOf(apps.deleteNamespacedDeployment({ namespace: 'default', name: 'shop' }))).code, 403, 'only the verbs listed');
  await admin.makeApiClient(RbacAuthorizationV1Api).deleteClusterRoleBinding({ name: 'deployment-reader-binding' });
  assert.equal((await statusOf(apps.listNamespacedDeployment({ namespace: 'shop' }))).code, 403);
});

test("a RoleBinding to a ClusterRole grants its rules in the binding's namespace only", async (t) => {
  const { admin, sa } = await setup(t);
  const apps = sa.makeApiClient(AppsV1Api);
  await clusterRole(admin, 'deployment-reader', readDeployments);
  await bindIn(admin, 'default', { kind: 'ClusterRole', name: 'deployment-reader' });
  await assert.doesNotReject(apps.listNamespacedDeployment({ namespace: 'default' }));
  const elsewhere = await statusOf(apps.listNamespacedDeployment({ namespace: 'shop' }));
  assert.match(elsewhere.body.message, /cannot list resource "deployments" in API group "apps" in the namespace "shop"$/);
  const everywhere = await statusOf(apps.listDeploymentForAllNamespaces());
  assert.match(everywhere.body.message, /at the cluster scope$/);
});

test('a RoleBinding to a Role grants it there; a binding to a missing role is named in the denial', async (t) => {
  const { admin, sa } = await setup(t);
  const core = sa.makeApiClient(CoreV1Api);
  await bindIn(admin, 'shop', { kind: 'Role', name: 'config-reader' });
  const missing = await statusOf(core.listNamespacedConfigMap({ namespace: 'shop' }));
  assert.equal(missing.body.message, `configmaps is forbidden: User "${controller}" cannot list resource "configmaps" in API group "" in the namespace "shop": RBAC: role.rbac.authorization.k8s.io "config-reader" not found`);
  await admin.makeApiClient(RbacAuthorizationV1Api).createNamespacedRole({
    namespace: 'shop', body: { metadata: { name: 'config-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] },
  });
  await assert.doesNotReject(core.listNamespacedConfigMap({ namespace: 'shop' }));
  assert.equal((await statusOf(core.listNamespacedConfigMap({ namespace: 'default' }))).code, 403);
});

test('resourceNames allow the named objects and never a list, a create or another name', async (t) => {
  const { admin, sa } = await setup(t);
  await admin.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'settings' } } });
  await admin.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'other' } } });
  await clusterRole(admin, 'settings-only', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get', 'list', 'create', 'update'] }]);
  await bindCluster(admin, 'settings-only');
  const core = sa.makeApiClient(CoreV1Api);
  assert.equal((await core.readNamespacedConfigMap({ namespace: 'default', name: 'settings' })).metadata?.name, 'settings');
  assert.equal((await statusOf(core.readNamespacedConfigMap({ namespace: 'default', name: 'other' }))).code, 403);
  assert.equal((await statusOf(core.listNamespacedConfigMap({ namespace: 'default' }))).code, 403);
  const create = await statusOf(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'settings' } } }));
  assert.equal(create.body.message, `configmaps is forbidden: User "${controller}" cannot create resource "configmaps" in API group "" in the namespace "default"`);
  const narrowed = await core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'metadata.name=settings' });
  assert.deepEqual(narrowed.items.map((c) => c.metadata?.name), ['settings'], 'a list narrowed to the name is a request for that name');
});

test('a subresource needs a rule of its own: deployments does not grant deployments/scale', async (t) => {
  const { admin, sa } = await setup(t);
  await clusterRole(admin, 'deployment-writer', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }]);
  await bindCluster(admin, 'deployment-writer');
  const apps = sa.makeApiClient(AppsV1Api);
  const scale = await statusOf(apps.patchNamespacedDeploymentScale({ namespace: 'default', name: 'shop', body: [{ op: 'replace', path: '/spec/replicas', value: 2 }] }));
  assert.equal(scale.body.message, `deployments.apps "shop" is forbidden: User "${controller}" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"`);
  await clusterRole(admin, 'scaler', [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }]);
  await bindCluster(admin, 'scaler');
  const scaled = await apps.patchNamespacedDeploymentScale({ namespace: 'default', name: 'shop', body: [{ op: 'replace', path: '/spec/replicas', value: 2 }] });
  assert.equal(scaled.spec?.replicas, 2);
});

test('an aggregated ClusterRole holds the rules of every role its selectors match, including roles labelled later', async (t) => {
  const { admin, sa } = await setup(t);
  await bindIn(admin, 'default', { kind: 'ClusterRole', name: 'view' });
  const apps = sa.makeApiClient(AppsV1Api);
  assert.equal((await statusOf(apps.listNamespacedDeployment({ namespace: 'default' }))).code, 403, 'nothing aggregates into view yet');
  await clusterRole(admin, 'deployment-viewer', readDeployments, { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
  await assert.doesNotReject(apps.listNamespacedDeployment({ namespace: 'default' }));
  await clusterRole(admin, 'config-editor', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create'] }], { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' });
  await bindIn(admin, 'shop', { kind: 'ClusterRole', name: 'admin' });
  const core = sa.makeApiClient(CoreV1Api);
  await assert.doesNotReject(core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'c' } } }), 'admin ⊇ edit ⊇ view, by their labels');
  await assert.doesNotReject(apps.listNamespacedDeployment({ namespace: 'shop' }));
  assert.equal((await statusOf(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' } } }))).code, 403, 'view does not include edit');
});

test('a watch needs the watch verb: list alone is not enough', async (t) => {
  const { emulator, admin, sa } = await setup(t);
  await clusterRole(admin, 'lister', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] }]);
  await bindCluster(admin, 'lister');
  await assert.doesNotReject(sa.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'default' }));
  const token = /token: (\S+)/.exec(emulator.serviceAccountKubeconfig('fledge-system', 'fledge-controller'))![1]!;
  const response = await fetch(`${emulator.url}/apis/apps/v1/namespaces/default/deployments?watch=1`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 403);
  assert.match(((await response.json()) as { message: string }).message, /cannot watch resource "deployments" in API group "apps" in the namespace "default"$/);
});

test('access reviews answer for the caller, for another user, and list the rules that apply', async (t) => {
  const { admin, sa } = await setup(t);
  await clusterRole(admin, 'deployment-reader', readDeployments);
  await bindIn(admin, 'default', { kind: 'ClusterRole', name: 'deployment-reader' });
  const reviews = sa.makeApiClient(AuthorizationV1Api);
  const ask = async (namespace: string) => (await reviews.createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { namespace, verb: 'list', group: 'apps', resource: 'deployments' } } },
  })).status?.allowed;
  assert.equal(await ask('default'), true);
  assert.equal(await ask('shop'), false);
  const other = await admin.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
    body: { spec: { user: controller, groups: ['system:authenticated'], resourceAttributes: { namespace: 'default', verb: 'get', group: 'apps', resource: 'deployments', name: 'shop' } } },
  });
  assert.equal(other.status?.allowed, true);
  assert.equal((await statusOf(reviews.createSubjectAccessReview({ body: { spec: { user: 'x', nonResourceAttributes: { path: '/version', verb: 'get' } } } }))).code, 403, 'only admins may ask about others');
  const rules = await reviews.createSelfSubjectRulesReview({ body: { spec: { namespace: 'default' } } });
  assert.ok(rules.status?.resourceRules.some((r) => r.resources?.includes('deployments') && r.verbs.includes('list')));
  assert.ok(rules.status?.nonResourceRules.some((r) => r.nonResourceURLs?.includes('/version')));
});

test('the audit hook records every resource request with its user, verb, resource, namespace and decision', async (t) => {
  const { admin, sa, audit } = await setup(t);
  audit.length = 0;
  await statusOf(sa.makeApiClient(AppsV1Api).patchNamespacedDeploymentScale({ namespace: 'default', name: 'shop', body: [] }));
  await admin.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'shop' });
  assert.deepEqual(audit.map(({ user, verb, group, resource, namespace, name, allowed }) => ({ user, verb, group, resource, namespace, name, allowed })), [
    { user: controller, verb: 'patch', group: 'apps', resource: 'deployments/scale', namespace: 'default', name: 'shop', allowed: false },
    { user: 'fledge-emulator-admin', verb: 'list', group: '', resource: 'configmaps', namespace: 'shop', name: '', allowed: true },
  ]);
  assert.deepEqual(audit[0]!.groups, ['system:serviceaccounts', 'system:serviceaccounts:fledge-system', 'system:authenticated']);
});

test('RBAC objects and ServiceAccounts are served like other kinds, and reviews only take create', async (t) => {
  const { emulator, admin } = await setup(t);
  const sas = await admin.makeApiClient(CoreV1Api).listNamespacedServiceAccount({ namespace: 'fledge-system' });
  assert.deepEqual(sas.items.map((s) => s.metadata?.name), ['fledge-controller']);
  const response = await fetch(`${emulator.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, { headers: adminHeaders });
  assert.equal(response.status, 405);
  const bad = await statusOf(admin.makeApiClient(RbacAuthorizationV1Api).createClusterRole({ body: { metadata: { name: 'a/b' }, rules: [] } }));
  assert.equal(bad.code, 422);
});
