import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { KubeConfig, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { listPageSize, pagedList, Watches } from '../../src/controller/watch.ts';
import type { WatchOptions, WatchSpec } from '../../src/controller/watch.ts';
import { withEmulator } from '../support/emulator.ts';
import { crdFiles, installCrds } from '../fixtures/crds/install.ts';

const namespace = 'default';

function deployment(name: string): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, namespace },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
  };
}

const byName = (object: KubernetesObject): string[] => [`${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`];
const deployments: WatchSpec = { kind: 'deployments', keysOf: byName };

/** Polls every 20 ms; the limit only bounds a hang. */
async function eventually(predicate: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  for (let waited = 0; waited < limitMs; waited += 20) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`gave up waiting: ${what}`);
}

async function watching(t: { after(fn: () => unknown): void }, kc: KubeConfig, options: Partial<WatchOptions> = {}) {
  const keys: string[] = [];
  const errors: string[] = [];
  const watches = new Watches({
    kc, watches: [deployments], onKey: (key) => keys.push(key), restartBaseMs: 20, restartCapMs: 100,
    onError: (kind) => errors.push(kind), ...options,
  });
  t.after(() => watches.stop());
  await watches.start();
  return { watches, keys, errors };
}

void describe('watches as hints', () => {
  void it('calls back with the key of a Deployment that is added, changed or deleted', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const { watches, keys } = await watching(t, kubeConfig);
    assert.equal(watches.synced, true);
    await apps.createNamespacedDeployment({ namespace, body: deployment('web') });
    await eventually(() => keys.includes('default/web'), 'the add');
    keys.length = 0;
    await apps.deleteNamespacedDeployment({ namespace, name: 'web' });
    await eventually(() => keys.includes('default/web'), 'the delete');
  });

  void it('caches objects as its shape keeps them, from the list and from watch events, and passes on urgency', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace, body: deployment('listed') });
    const shape = (object: KubernetesObject): KubernetesObject => ({ metadata: { name: object.metadata?.name ?? '', namespace: object.metadata?.namespace ?? '' } });
    const urgentKeys: string[] = [];
    const spec: WatchSpec = { ...deployments, shape, urgent: (_object, event) => event === 'add' };
    const { watches, keys } = await watching(t, kubeConfig, { watches: [spec], onKey: (key, urgent) => (urgent ? urgentKeys : keys).push(key) });
    const cache = watches.lookup('deployments');
    assert.deepEqual(cache.get('listed', namespace), { metadata: { name: 'listed', namespace } });
    await apps.createNamespacedDeployment({ namespace, body: deployment('watched') });
    await eventually(() => cache.get('watched', namespace) !== undefined, 'the add');
    assert.deepEqual(cache.get('watched', namespace), { metadata: { name: 'watched', namespace } });
    assert.ok(urgentKeys.includes('default/watched'));
    watches.resync();
    assert.ok(keys.includes('default/watched'), 'a resync is not urgent');
  });

  void it('keeps calling back after the API server closes every watch', async (t) => {
    const { emulator, kubeConfig } = await withEmulator(t);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const { keys } = await watching(t, kubeConfig);
    for (let round = 0; round < 3; round++) {
      emulator.faults.closeWatches();
      const name = `after-close-${round}`;
      await apps.createNamespacedDeployment({ namespace, body: deployment(name) });
      await eventually(() => keys.includes(`default/${name}`), `an add after close ${round}`);
    }
  });

  void it('restarts an informer whose list failed, and is synced once it listed', async (t) => {
    const { emulator, kubeConfig } = await withEmulator(t);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace, body: deployment('early') });
    emulator.faults.failNext({ verb: 'list', resource: 'deployments' }, 2, 500);
    const { watches, keys, errors } = await watching(t, kubeConfig);
    assert.equal(watches.synced, false, 'the first list failed');
    await eventually(() => watches.synced, 'a successful relist');
    assert.ok(errors.length >= 2, `errors seen: ${errors.length}`);
    assert.ok(keys.includes('default/early'));
    await apps.createNamespacedDeployment({ namespace, body: deployment('later') });
    await eventually(() => keys.includes('default/later'), 'events after the restart');
  });

  void it('resyncs every known key even when nothing changed', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    for (const name of ['a', 'b', 'c']) await apps.createNamespacedDeployment({ namespace, body: deployment(name) });
    const { keys } = await watching(t, kubeConfig, { resyncMs: 50 });
    keys.length = 0;
    await eventually(() => ['a', 'b', 'c'].every((n) => keys.filter((k) => k === `default/${n}`).length >= 2), 'two resyncs');
  });

  void it('maps a tracked ConfigMap change to the app that tracks it', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const tracking: Record<string, string> = { 'default/app-config': 'default/app' };
    const configmaps: WatchSpec = {
      kind: 'configmaps',
      keysOf: (object, event) => {
        const owner = tracking[byName(object)[0] as string];
        return owner === undefined || event === 'resync' ? [] : [owner];
      },
    };
    const { keys } = await watching(t, kubeConfig, { watches: [configmaps] });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'unrelated', namespace }, data: { a: '1' } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'app-config', namespace }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ namespace, name: 'app-config', body: [{ op: 'replace', path: '/data/a', value: '2' }] });
    await eventually(() => keys.filter((k) => k === 'default/app').length >= 2, 'create and update of the tracked ConfigMap');
    assert.deepEqual([...new Set(keys)], ['default/app']);
  });

  void it('watches Canaries in one namespace', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    await installCrds(kubeConfig, crdFiles.canary);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'other' } } });
    const { keys, watches } = await watching(t, kubeConfig, { namespace: 'shop', watches: [{ kind: 'canaries', keysOf: byName }] });
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const gvp = { group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries' };
    for (const ns of ['other', 'shop']) {
      await custom.createNamespacedCustomObject({ ...gvp, namespace: ns, body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'cart', namespace: ns }, spec: {} } });
    }
    await eventually(() => keys.includes('shop/cart'), 'the canary in shop');
    assert.ok(!keys.includes('other/cart'));
    assert.equal(watches.cached('canaries').length, 1);
  });

  void it('reports a watch its RBAC refuses by kind and missing permission, and is not synced', async (t) => {
    const { emulator, kubeConfig } = await withEmulator(t);
    await kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    const reader = new KubeConfig();
    reader.loadFromString(emulator.serviceAccountKubeconfig(namespace, 'reader'));
    const reported: string[] = [];
    const { watches } = await watching(t, reader, { watches: [{ kind: 'configmaps', keysOf: byName }], onError: (kind, error) => reported.push(`${kind}: ${String(error)}`) });
    assert.equal(watches.synced, false);
    assert.match(reported[0] ?? '', /^configmaps: KubeApiError: list and watch configmaps in every namespace: HTTP 403: configmaps is forbidden: .* \(the controller's RBAC lacks "list" and "watch" on configmaps; retrying/);
  });
});

void describe('lists page by page', () => {
  void it('asks for pages of at most listPageSize after each continue token, shapes each page and keeps the first page\'s resourceVersion', async () => {
    const asked: Array<{ limit: number; _continue?: string }> = [];
    const pages: Record<string, { metadata: { resourceVersion: string; _continue?: string }; items: KubernetesObject[] }> = {
      '': { metadata: { resourceVersion: '7', _continue: 'a' }, items: [{ metadata: { name: 'one', labels: { x: 'y' } } }] },
      a: { metadata: { resourceVersion: '9', _continue: 'b' }, items: [{ metadata: { name: 'two' } }] },
      b: { metadata: { resourceVersion: '9' }, items: [{ metadata: { name: 'three' } }] },
    };
    const list = pagedList(async (page) => {
      asked.push(page);
      return pages[page._continue ?? ''];
    }, (object) => ({ metadata: { name: object.metadata?.name ?? '' } }));
    const listed = await list();
    assert.deepEqual(listed.items.map((o) => o.metadata), [{ name: 'one' }, { name: 'two' }, { name: 'three' }]);
    assert.equal(listed.metadata?.resourceVersion, '7');
    assert.deepEqual(asked, [{ limit: listPageSize }, { limit: listPageSize, _continue: 'a' }, { limit: listPageSize, _continue: 'b' }]);
  });

  void it('caches every object of a namespace holding more than one page of them', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const count = listPageSize * 2 + 7;
    for (let start = 0; start < count; start += 50) {
      await Promise.all(Array.from({ length: Math.min(50, count - start) }, (_, i) =>
        core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `cm-${start + i}` }, data: { n: String(start + i) } } })));
    }
    const { watches } = await watching(t, kubeConfig, { watches: [{ kind: 'configmaps', keysOf: byName }] });
    assert.equal(watches.cached('configmaps').filter((o) => o.metadata?.name?.startsWith('cm-') === true).length, count);
  });
});

