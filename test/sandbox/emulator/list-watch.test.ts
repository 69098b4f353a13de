import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, makeInformer, Watch, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { withEmulator } from '../../support/emulator.ts';
import { eventually, statusOf } from './fixtures.ts';

async function configMaps(kc: KubeConfig, specs: readonly [string, Record<string, string>][]): Promise<V1ConfigMap[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const out: V1ConfigMap[] = [];
  for (const [name, labels] of specs) out.push(await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name, labels } } }));
  return out;
}

void test('label selectors support =, ==, !=, in, notin, exists and !key', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await configMaps(kubeConfig, [['a', { app: 'web', tier: 'front' }], ['b', { app: 'web' }], ['c', { app: 'db', tier: 'back' }], ['d', {}]]);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const names = async (labelSelector: string) =>
    (await core.listNamespacedConfigMap({ namespace: 'default', labelSelector })).items.map((c) => c.metadata?.name).join(',');
  assert.equal(await names('app=web'), 'a,b');
  assert.equal(await names('app==web,tier=front'), 'a');
  assert.equal(await names('app!=web'), 'c,d');
  assert.equal(await names('app in (db, web),tier'), 'a,c');
  assert.equal(await names('tier notin (front)'), 'b,c,d');
  assert.equal(await names('!tier'), 'b,d');
  assert.equal((await statusOf(core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app in web' }))).code, 400);
});

void test('field selectors match metadata.name and metadata.namespace and refuse unknown fields', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await configMaps(kubeConfig, [['a', {}], ['b', {}]]);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const one = await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.name=b,metadata.namespace=default' });
  assert.deepEqual(one.items.map((c) => c.metadata?.name), ['b']);
  const not = await core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'metadata.name!=b' });
  assert.deepEqual(not.items.map((c) => c.metadata?.name), ['a']);
  const bad = await statusOf(core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'spec.nothing=1' }));
  assert.equal(bad.code, 400);
});

void test('limit and continue page through a list without gaps or repeats', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await configMaps(kubeConfig, ['e', 'a', 'd', 'b', 'c'].map((n) => [n, {}] as [string, Record<string, string>]));
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const seen: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10; page += 1) {
    const list = await core.listNamespacedConfigMap({ namespace: 'default', limit: 2, ...(token === undefined ? {} : { _continue: token }) });
    seen.push(...list.items.map((c) => c.metadata?.name ?? ''));
    token = list.metadata?._continue;
    if (token === undefined || token === '') break;
    assert.ok((list.metadata?.remainingItemCount ?? 0) > 0);
  }
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
});

interface Seen { type: string; name: string; rv: string; code?: number }

function watchInto(kc: KubeConfig, path: string, params: Record<string, string | number | boolean | undefined>) {
  const events: Seen[] = [];
  let ended = false;
  const started = new Watch(kc).watch(path, params, (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number }) => {
    events.push({ type, name: obj.metadata?.name ?? '', rv: obj.metadata?.resourceVersion ?? '', ...(obj.code === undefined ? {} : { code: obj.code }) });
  }, () => { ended = true; });
  return { events, ended: () => ended, started };
}

void test('a watch from a resourceVersion replays later events only, then streams new ones', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const [a] = await configMaps(kubeConfig, [['a', {}], ['b', {}]]);
  const w = watchInto(kubeConfig, '/api/v1/namespaces/default/configmaps', { resourceVersion: a!.metadata!.resourceVersion });
  const controller = await w.started;
  t.after(() => controller.abort());
  await eventually(() => (w.events.length >= 1 ? true : undefined), 'the replayed event');
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' });
  await eventually(() => (w.events.length >= 2 ? true : undefined), 'the deletion');
  assert.deepEqual(w.events.map((e) => `${e.type} ${e.name}`), ['ADDED b', 'DELETED a']);
  assert.ok(Number(w.events[1]!.rv) > Number(w.events[0]!.rv));
});

void test('a watch without resourceVersion starts with ADDED for every current object', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await configMaps(kubeConfig, [['a', {}], ['b', { skip: 'yes' }]]);
  const w = watchInto(kubeConfig, '/api/v1/namespaces/default/configmaps', { labelSelector: '!skip' });
  const controller = await w.started;
  t.after(() => controller.abort());
  await eventually(() => (w.events.length >= 1 ? true : undefined), 'the initial event');
  assert.deepEqual(w.events.map((e) => `${e.type} ${e.name}`), ['ADDED a']);
});

void test('a watch from a resourceVersion older than the window gets 410 Expired and the stream ends', async (t) => {
  const { kubeConfig } = await withEmulator(t, { watchWindow: 3 });
  const [first] = await configMaps(kubeConfig, [['a', {}], ['b', {}], ['c', {}], ['d', {}], ['e', {}]]);
  const w = watchInto(kubeConfig, '/api/v1/namespaces/default/configmaps', { resourceVersion: first!.metadata!.resourceVersion });
  await w.started;
  await eventually(() => (w.ended() ? true : undefined), 'the stream to end');
  assert.deepEqual(w.events, [{ type: 'ERROR', name: '', rv: '', code: 410 }]);
});

void test('bookmarks arrive when asked for and timeoutSeconds ends the watch', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const w = watchInto(kubeConfig, '/api/v1/namespaces/default/configmaps', { allowWatchBookmarks: true, timeoutSeconds: 2 });
  await w.started;
  await eventually(() => (w.ended() ? true : undefined), 'the watch to time out', 10_000);
  assert.ok(w.events.some((e) => e.type === 'BOOKMARK' && /^\d+$/.test(e.rv)), 'a bookmark carries a resourceVersion');
});

void test('an informer sees adds, updates and deletes, and keeps going after closeWatches()', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const informer = makeInformer(kubeConfig, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  let connects = 0;
  informer.on('connect', () => { connects += 1; });
  await informer.start();
  t.after(() => informer.stop());
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'x' }, data: { v: '1' } } });
  await eventually(() => (seen.includes('add x') ? true : undefined), 'add x');
  await core.replaceNamespacedConfigMap({ name: 'x', namespace: 'default', body: { metadata: { name: 'x' }, data: { v: '2' } } });
  await eventually(() => (seen.includes('update x') ? true : undefined), 'update x');
  emulator.faults.closeWatches();
  await eventually(() => (connects >= 2 ? true : undefined), 'the informer to watch again');
  await core.deleteNamespacedConfigMap({ name: 'x', namespace: 'default' });
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'y' } } });
  await eventually(() => (seen.includes('add y') ? true : undefined), 'add y after the reconnect');
  assert.deepEqual(seen, ['add x', 'update x', 'delete x', 'add y']);
});

void test('an informer whose resourceVersion expired while it was away relists and catches up', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t, { watchWindow: 2 });
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let lists = 0;
  const informer = makeInformer(kubeConfig, '/api/v1/namespaces/default/configmaps', () => {
    lists += 1;
    return core.listNamespacedConfigMap({ namespace: 'default' });
  });
  const added: string[] = [];
  informer.on('add', (o) => added.push(o.metadata?.name ?? ''));
  await informer.start();
  t.after(() => informer.stop());
  emulator.faults.delay({ verb: 'watch', resource: 'configmaps' }, 400);
  emulator.faults.closeWatches();
  await configMaps(kubeConfig, [['p', {}], ['q', {}], ['r', {}], ['s', {}]]);
  await eventually(() => (added.length === 4 ? true : undefined), 'all four objects after the relist');
  emulator.faults.clear();
  assert.ok(lists >= 2, 'the informer listed again after 410');
  assert.deepEqual([...added].sort(), ['p', 'q', 'r', 's']);
});
