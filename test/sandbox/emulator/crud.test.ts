import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { adminHeaders, withEmulator } from '../../support/emulator.ts';
import { deployment, statusOf } from './fixtures.ts';

void test('a created Deployment reads back with uid, creationTimestamp, resourceVersion and generation 1', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const created = await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
  assert.equal(created.metadata?.generation, 1);
  assert.ok(created.metadata?.creationTimestamp instanceof Date);
  const read = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.equal(read.metadata?.uid, created.metadata?.uid);
  assert.equal(read.spec?.template.spec?.containers[0]?.image, 'example/app:1');
});

void test('resourceVersions grow with every write across kinds', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const a = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' }, data: { k: '1' } } });
  const b = await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'b' }, stringData: { k: 'v' } } });
  const a2 = await core.replaceNamespacedConfigMap({ name: 'a', namespace: 'default', body: { ...a, data: { k: '2' } } });
  const rvs = [a, b, a2].map((o) => Number(o.metadata?.resourceVersion));
  assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!, `resourceVersions ${rvs.join(',')} must increase`);
  assert.equal(b.data?.['k'], Buffer.from('v').toString('base64'));
  assert.equal(b.type, 'Opaque');
});

void test('reading a missing object answers a NotFound Status naming the resource', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const { code, body } = await statusOf(apps.readNamespacedDeployment({ name: 'nope', namespace: 'default' }));
  assert.equal(code, 404);
  assert.deepEqual(body, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound',
    message: 'deployments.apps "nope" not found', details: { name: 'nope', group: 'apps', kind: 'deployments' },
  });
});

void test('creating an object that exists answers 409 AlreadyExists', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'twice' } } });
  const { code, body } = await statusOf(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'twice' } } }));
  assert.equal(code, 409);
  assert.equal(body.reason, 'AlreadyExists');
  assert.equal(body.message, 'configmaps "twice" already exists');
});

void test('creating in a namespace that does not exist answers 404 for the namespace', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const { code, body } = await statusOf(core.createNamespacedConfigMap({ namespace: 'ghost', body: { metadata: { name: 'x' } } }));
  assert.equal(code, 404);
  assert.equal(body.message, 'namespaces "ghost" not found');
  assert.deepEqual(body.details, { name: 'ghost', kind: 'namespaces' });
});

void test('namespaces are cluster-scoped, default exists at start, and new ones are usable at once', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
  assert.ok(names.includes('default'));
  const ns = await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
  assert.equal(ns.status?.phase, 'Active');
  const cm = await core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'x' } } });
  assert.equal(cm.metadata?.namespace, 'team-a');
});

void test('deleting a namespace deletes what is in it', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
  await core.deleteNamespace({ name: 'doomed' });
  assert.equal((await statusOf(core.readNamespace({ name: 'doomed' }))).code, 404);
  assert.equal((await statusOf(core.readNamespacedConfigMap({ name: 'x', namespace: 'doomed' }))).code, 404);
});

void test('generateName gets a random suffix', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const a = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'run-' } } });
  const b = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'run-' } } });
  assert.match(a.metadata?.name ?? '', /^run-[a-z0-9]{5}$/);
  assert.notEqual(a.metadata?.name, b.metadata?.name);
});

void test('a Service gets a cluster IP and defaulted ports that survive an update', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const svc = await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
  assert.match(svc.spec?.clusterIP ?? '', /^10\.96\./);
  assert.equal(svc.spec?.ports?.[0]?.targetPort, 80);
  const updated = await core.replaceNamespacedService({ name: 'web', namespace: 'default', body: { metadata: { name: 'web' }, spec: { selector: { app: 'other' }, ports: [{ port: 80 }] } } });
  assert.equal(updated.spec?.clusterIP, svc.spec?.clusterIP);
});

void test('invalid objects answer 422 Invalid with a cause per field', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);

  const badName = await statusOf(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Bad_Name' } } }));
  assert.equal(badName.code, 422);
  assert.equal(badName.body.reason, 'Invalid');
  assert.equal(badName.body.details.causes[0]!.field, 'metadata.name');
  assert.match(badName.body.message, /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);

  const noName = await statusOf(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: {} } }));
  assert.equal(noName.code, 422);
  assert.equal(noName.body.details.causes[0]!.reason, 'FieldValueRequired');

  const mismatch = deployment('web');
  mismatch.spec!.template.metadata!.labels = { app: 'other' };
  const selector = await statusOf(apps.createNamespacedDeployment({ namespace: 'default', body: mismatch }));
  assert.equal(selector.code, 422);
  assert.deepEqual(selector.body.details.causes.map((c: { field: string }) => c.field), ['spec.template.metadata.labels']);
  assert.match(selector.body.message, /`selector` does not match template `labels`/);

  const noSelector = deployment('web');
  delete (noSelector.spec as { selector?: unknown }).selector;
  const missing = await statusOf(apps.createNamespacedDeployment({ namespace: 'default', body: noSelector }));
  assert.equal(missing.body.message, 'Deployment.apps "web" is invalid: spec.selector: Required value');

  const wrongKind = await statusOf(apps.createNamespacedDeployment({ namespace: 'default', body: { ...deployment('web'), kind: 'StatefulSet' } }));
  assert.equal(wrongKind.code, 422);
  assert.equal(wrongKind.body.details.causes[0]!.field, 'kind');
});

void test('creating from a copy that still carries a resourceVersion fails like the real server', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const original = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' } } });
  const failed = await statusOf(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { ...original.metadata, name: 'b' } } }));
  assert.equal(failed.code, 500);
  assert.match(failed.body.message, /resourceVersion should not be set on objects to be created/);
});

void test('non-string label or annotation values answer 400 BadRequest', async (t) => {
  const { emulator } = await withEmulator(t);
  const response = await fetch(`${emulator.url}/api/v1/namespaces/default/configmaps`, {
    method: 'POST', headers: { ...adminHeaders, 'Content-Type': 'application/json' },
    body: JSON.stringify({ metadata: { name: 'x', annotations: { 'fledge.dev/canary': true } } }),
  });
  assert.equal(response.status, 400);
  assert.match(((await response.json()) as { message: string }).message, /cannot unmarshal bool into Go struct field ObjectMeta.metadata.annotations of type string/);
});

void test('a malformed JSON body answers 400 BadRequest', async (t) => {
  const { emulator } = await withEmulator(t);
  const response = await fetch(`${emulator.url}/api/v1/namespaces/default/configmaps`, {
    method: 'POST', headers: { ...adminHeaders, 'Content-Type': 'application/json' }, body: '{"metadata": ',
  });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { reason: string; kind: string };
  assert.equal(body.kind, 'Status');
  assert.equal(body.reason, 'BadRequest');
});

void test('deleting returns the deletion to the client and the object is gone', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  const status = await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.equal(status.status, 'Success');
  assert.equal((await statusOf(apps.readNamespacedDeployment({ name: 'web', namespace: 'default' }))).code, 404);
  assert.equal((await statusOf(apps.deleteNamespacedDeployment({ name: 'web', namespace: 'default' }))).code, 404);
});

void test('all-namespaces lists return objects of every namespace', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'other' } } });
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('a') });
  await apps.createNamespacedDeployment({ namespace: 'other', body: deployment('b') });
  const list = await apps.listDeploymentForAllNamespaces();
  assert.deepEqual(list.items.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`), ['default/a', 'other/b']);
  assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
});
