import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { adminHeaders, withEmulator } from '../../support/emulator.ts';
import { deployment, statusOf } from './fixtures.ts';

void test('a JSON patch applies its operations in order', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' }, data: { a: '1', b: '2' } } });
  const patched = await core.patchNamespacedConfigMap({
    name: 'c', namespace: 'default',
    body: [{ op: 'replace', path: '/data/a', value: 'one' }, { op: 'remove', path: '/data/b' }, { op: 'add', path: '/data/c', value: '3' }],
  });
  assert.deepEqual(patched.data, { a: 'one', c: '3' });
});

void test('a JSON patch whose test operation fails answers 422 and changes nothing', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' }, data: { a: '1' } } });
  const failed = await statusOf(core.patchNamespacedConfigMap({
    name: 'c', namespace: 'default', body: [{ op: 'test', path: '/data/a', value: '2' }, { op: 'replace', path: '/data/a', value: 'x' }],
  }));
  assert.equal(failed.code, 422);
  assert.equal((await core.readNamespacedConfigMap({ name: 'c', namespace: 'default' })).data?.['a'], '1');
});

void test('a merge patch merges maps, deletes keys set to null and replaces lists', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  const patched = await apps.patchNamespacedDeployment(
    { name: 'web', namespace: 'default', body: { metadata: { labels: { tier: 'front', app: null } }, spec: { template: { spec: { containers: [{ name: 'other', image: 'x:2' }] } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  assert.deepEqual(patched.metadata?.labels, { tier: 'front' });
  assert.deepEqual(patched.spec?.template.spec?.containers.map((c) => c.name), ['other']);
});

void test('a strategic merge patch merges containers and env by name and ports by containerPort', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  const patched = await apps.patchNamespacedDeployment(
    {
      name: 'web', namespace: 'default',
      body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example/app:2', env: [{ name: 'EXTRA', value: 'b' }], ports: [{ containerPort: 9090 }] }, { name: 'sidecar', image: 'proxy:1' }] } } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  const containers = patched.spec?.template.spec?.containers ?? [];
  assert.deepEqual(containers.map((c) => `${c.name}=${c.image}`), ['app=example/app:2', 'sidecar=proxy:1']);
  assert.deepEqual(containers[0]?.env?.map((e) => e.name), ['MODE', 'EXTRA']);
  assert.deepEqual(containers[0]?.ports?.map((p) => p.containerPort), [8080, 9090]);
  assert.equal(patched.metadata?.generation, 2);
});

void test('a strategic merge patch honours $patch: delete in a keyed list', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  const patched = await apps.patchNamespacedDeployment(
    { name: 'web', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'MODE', $patch: 'delete' }] }] } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  assert.deepEqual(patched.spec?.template.spec?.containers[0]?.env ?? [], []);
});

void test('server-side apply creates a missing object, then merges later applies into it', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  const created = await core.patchNamespacedConfigMap(
    { name: 'cfg', namespace: 'default', fieldManager: 'test', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } } },
    apply,
  );
  assert.deepEqual(created.data, { a: '1' });
  const merged = await core.patchNamespacedConfigMap(
    { name: 'cfg', namespace: 'default', fieldManager: 'test', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { b: '2' } } },
    apply,
  );
  assert.deepEqual(merged.data, { a: '1', b: '2' });
});

void test('patching a missing object answers 404', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const missing = await statusOf(core.patchNamespacedConfigMap(
    { name: 'nope', namespace: 'default', body: { data: { a: '1' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  ));
  assert.equal(missing.code, 404);
});

void test('a patch with an unknown content type answers 415', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' } } });
  const response = await fetch(`${emulator.url}/api/v1/namespaces/default/configmaps/c`, {
    method: 'PATCH', headers: { ...adminHeaders, 'Content-Type': 'text/plain' }, body: 'data',
  });
  assert.equal(response.status, 415);
  assert.equal(((await response.json()) as { reason: string }).reason, 'UnsupportedMediaType');
});
