import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, Watch } from '@kubernetes/client-node';
import { adminHeaders, withEmulator } from '../../support/emulator.ts';
import { eventually, statusOf } from './fixtures.ts';

void test('a 500 storm fails exactly the next matching requests, then the API recovers', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' }, data: { v: '0' } } });
  emulator.faults.failNext({ verb: 'update', resource: 'configmaps' }, 3, 500);
  const replace = (v: string) => core.replaceNamespacedConfigMap({ name: 'c', namespace: 'default', body: { metadata: { name: 'c' }, data: { v } } });
  const failures = [await statusOf(replace('1')), await statusOf(replace('2')), await statusOf(replace('3'))];
  assert.deepEqual(failures.map((f) => `${f.code} ${f.body.reason}`), ['500 InternalError', '500 InternalError', '500 InternalError']);
  assert.equal((await core.readNamespacedConfigMap({ name: 'c', namespace: 'default' })).data?.['v'], '0', 'reads are not matched and nothing was written');
  assert.equal((await replace('4')).data?.['v'], '4');
});

void test('an injected 409 is a Conflict Status naming the object', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' } } });
  emulator.faults.failNext({ resource: 'configmaps' }, 1, 409);
  const conflict = await statusOf(core.patchNamespacedConfigMap({ name: 'c', namespace: 'default', body: [{ op: 'add', path: '/data', value: {} }] }));
  assert.equal(conflict.code, 409);
  assert.equal(conflict.body.reason, 'Conflict');
  assert.match(conflict.body.message, /configmaps "c"/);
});

void test('an injected 429 carries Retry-After', async (t) => {
  const { emulator } = await withEmulator(t);
  emulator.faults.failNext({ verb: 'list' }, 1, 429);
  const response = await fetch(`${emulator.url}/api/v1/namespaces/default/configmaps`, { headers: adminHeaders });
  assert.equal(response.status, 429);
  assert.equal(response.headers.get('retry-after'), '1');
  const body = (await response.json()) as { reason: string; details: { retryAfterSeconds: number } };
  assert.equal(body.reason, 'TooManyRequests');
  assert.equal(body.details.retryAfterSeconds, 1);
  assert.equal((await fetch(`${emulator.url}/api/v1/namespaces/default/configmaps`, { headers: adminHeaders })).status, 200);
});

void test('fault rules match on namespace and can be cleared', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'other' } } });
  emulator.faults.failNext({ namespace: 'other' }, 5, 500);
  assert.equal((await core.listNamespacedConfigMap({ namespace: 'default' })).items.length, 0);
  assert.equal((await statusOf(core.listNamespacedConfigMap({ namespace: 'other' }))).code, 500);
  emulator.faults.clear();
  assert.equal((await core.listNamespacedConfigMap({ namespace: 'other' })).items.length, 0);
});

void test('closeWatches ends every open watch', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  let ended = 0;
  const watch = new Watch(kubeConfig);
  for (const path of ['/api/v1/namespaces/default/configmaps', '/apis/apps/v1/deployments']) {
    const controller = await watch.watch(path, {}, () => undefined, () => { ended += 1; });
    t.after(() => controller.abort());
  }
  emulator.faults.closeWatches();
  await eventually(() => (ended === 2 ? true : undefined), 'both watches to end');
});

void test('a delayed request completes after an undelayed one sent later', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  emulator.faults.delay({ verb: 'create', resource: 'configmaps' }, 1500);
  const order: string[] = [];
  const slow = core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'slow' } } }).then(() => order.push('slow create'));
  await core.listNamespacedConfigMap({ namespace: 'default' }).then(() => order.push('fast list'));
  await slow;
  assert.deepEqual(order, ['fast list', 'slow create']);
  assert.equal((await core.readNamespacedConfigMap({ name: 'slow', namespace: 'default' })).metadata?.name, 'slow');
});
