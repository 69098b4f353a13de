import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { withEmulator } from '../../support/emulator.ts';
import { deployment, eventually, statusOf } from './fixtures.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

void test('replacing with a stale resourceVersion throws ApiException 409 Conflict', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const first = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '1' } } });
  await core.replaceNamespacedConfigMap({ name: 'c', namespace: 'default', body: { ...first, data: { v: '2' } } });
  await assert.rejects(
    core.replaceNamespacedConfigMap({ name: 'c', namespace: 'default', body: { ...first, data: { v: '3' } } }),
    (error: unknown) => error instanceof ApiException && error.code === 409,
  );
  assert.equal((await core.readNamespacedConfigMap({ name: 'c', namespace: 'default' })).data?.['v'], '2');
});

void test('a Deployment replaced from a stale read conflicts once the controller has written its status', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const first = await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  const latest = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.notEqual(latest.metadata?.resourceVersion, first.metadata?.resourceVersion);
  const { code, body } = await statusOf(apps.replaceNamespacedDeployment({ name: 'web', namespace: 'default', body: first }));
  assert.equal(code, 409);
  assert.equal(body.reason, 'Conflict');
  assert.equal(body.message, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');
  const replaced = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'default', body: { ...latest, spec: { ...latest.spec!, replicas: 2 } } });
  assert.equal(replaced.spec?.replicas, 2);
});

void test('an update without resourceVersion is unconditional', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '1' } } });
  await core.replaceNamespacedConfigMap({ name: 'c', namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '2' } } });
  const updated = await core.replaceNamespacedConfigMap({ name: 'c', namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '3' } } });
  assert.equal(updated.data?.['v'], '3');
});

void test('a write that changes nothing keeps the resourceVersion', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const created: V1ConfigMap = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '1' } } });
  const same = await core.replaceNamespacedConfigMap({ name: 'c', namespace: 'default', body: created });
  assert.equal(same.metadata?.resourceVersion, created.metadata?.resourceVersion);
});

void test('a Deployment generation moves on spec changes only', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  const labelled = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { metadata: { labels: { extra: 'yes' } } } }, merge);
  assert.equal(labelled.metadata?.generation, 1);
  const scaled = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { replicas: 4 } } }, merge);
  assert.equal(scaled.metadata?.generation, 2);
});

void test('the main endpoint ignores status and /status ignores everything else', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: { ...deployment('web'), status: { replicas: 99 } } });
  await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { status: { replicas: 42 } } }, merge);
  const afterMain = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.notEqual(afterMain.status?.replicas, 42);
  assert.notEqual(afterMain.status?.replicas, 99);
  const afterStatus = await apps.patchNamespacedDeploymentStatus(
    { name: 'web', namespace: 'default', body: { metadata: { labels: { sneaky: 'yes' } }, spec: { replicas: 7 }, status: { observedGeneration: 12 } } },
    merge,
  );
  assert.equal(afterStatus.status?.observedGeneration, 12);
  assert.equal(afterStatus.spec?.replicas, 1);
  assert.equal(afterStatus.metadata?.labels?.['sneaky'], undefined);
});

void test('finalizers keep a deleted object with deletionTimestamp until the last one is removed', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'held', finalizers: ['example.com/a', 'example.com/b'] } } });
  await core.deleteNamespacedConfigMap({ name: 'held', namespace: 'default' });
  const held = await core.readNamespacedConfigMap({ name: 'held', namespace: 'default' });
  assert.ok(held.metadata?.deletionTimestamp instanceof Date);
  await core.patchNamespacedConfigMap({ name: 'held', namespace: 'default', body: [{ op: 'replace', path: '/metadata/finalizers', value: ['example.com/b'] }] });
  assert.ok((await core.readNamespacedConfigMap({ name: 'held', namespace: 'default' })).metadata?.deletionTimestamp);
  await core.patchNamespacedConfigMap({ name: 'held', namespace: 'default', body: { metadata: { finalizers: null } } }, merge);
  assert.equal((await statusOf(core.readNamespacedConfigMap({ name: 'held', namespace: 'default' }))).code, 404);
});

void test('deleting an owner deletes dependents whose owners are all gone', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const a = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'owner-a' } } });
  const b = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'owner-b' } } });
  const ref = (o: V1ConfigMap) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata!.name!, uid: o.metadata!.uid! });
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'only-a', ownerReferences: [ref(a)] } } });
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'both', ownerReferences: [ref(a), ref(b)] } } });
  await core.deleteNamespacedConfigMap({ name: 'owner-a', namespace: 'default' });
  const names = (await core.listNamespacedConfigMap({ namespace: 'default' })).items.map((c) => c.metadata?.name);
  assert.deepEqual(names, ['both', 'owner-b']);
});

void test('an object whose owners do not exist is collected soon after it is written', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'stray', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: 'no-such-uid' }] } } });
  await eventually(async () => (await core.listNamespacedConfigMap({ namespace: 'default' })).items.length === 0 ? true : undefined, 'the stray ConfigMap to be collected');
});

void test('orphan propagation keeps dependents and drops their owner reference', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const owner = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'owner' } } });
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'child', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }] } } });
  await core.deleteNamespacedConfigMap({ name: 'owner', namespace: 'default', propagationPolicy: 'Orphan' });
  const child = await core.readNamespacedConfigMap({ name: 'child', namespace: 'default' });
  assert.equal(child.metadata?.ownerReferences, undefined);
});

void test('a delete with a stale resourceVersion precondition answers 409', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '1' } } });
  await core.replaceNamespacedConfigMap({ name: 'c', namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '2' } } });
  const failed = await statusOf(core.deleteNamespacedConfigMap({ name: 'c', namespace: 'default', body: { preconditions: { resourceVersion: created.metadata!.resourceVersion! } } }));
  assert.equal(failed.code, 409);
});
