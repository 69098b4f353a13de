// Fledge never touches what is not its own: an existing `-primary` Deployment, Service,
// ConfigMap or Secret of another team, or a TrafficSplit another Canary owns, is reported on
// the Canary (ConfigValid=False, ForeignObject) and left exactly as it was; nothing is created.
// Derived names that would break Kubernetes' limits are refused before anything is created.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type V1Service } from '@kubernetes/client-node';
import { releaseHarness, type Harness } from '../support/release-harness.ts';

const namespace = 'default';

function core(h: Harness): CoreV1Api {
  return h.kc.makeApiClient(CoreV1Api);
}

async function condition(h: Harness, app: string, type: string): Promise<{ status: string; reason: string; message: string } | undefined> {
  const status = (await h.canary(app)).status as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

async function reconcileAFewTimes(h: Harness, app: string, times = 4): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    await h.step(app);
    await new Promise((resolve) => setTimeout(resolve, 5));
    h.advance(5000);
  }
}

async function splitExists(h: Harness, name: string): Promise<boolean> {
  const api = h.kc.makeApiClient(CustomObjectsApi);
  return api.getNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace, name }).then(() => true, () => false);
}

async function deploymentExists(h: Harness, name: string): Promise<boolean> {
  return h.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name }).then(() => true, () => false);
}

/** What of an object another team would notice changing. */
function visible(object: { metadata?: { labels?: unknown; annotations?: unknown; ownerReferences?: unknown; resourceVersion?: string }; spec?: unknown; data?: unknown }): unknown {
  const { labels, annotations, ownerReferences, resourceVersion } = object.metadata ?? {};
  return { labels, annotations, ownerReferences, resourceVersion, spec: object.spec, data: object.data };
}

async function foreignEvents(h: Harness): Promise<string[]> {
  const events = await core(h).listNamespacedEvent({ namespace });
  return events.items.filter((e) => e.reason === 'ForeignObject').map((e) => e.message ?? '');
}

describe('objects of someone else under Fledge\'s names', () => {
  it('a foreign Service shop-primary selecting another app is not adopted: no split, no primary, the Canary says why', async (t) => {
    const h = await releaseHarness(t);
    const theirs = await core(h).createNamespacedService({ namespace, body: {
      metadata: { name: 'shop-primary', labels: { team: 'payments' } },
      spec: { selector: { app: 'payments' }, ports: [{ port: 80, targetPort: 8080 }] },
    } });
    await h.deploy('shop');
    await reconcileAFewTimes(h, 'shop');
    const valid = await condition(h, 'shop', 'ConfigValid');
    assert.equal(valid?.status, 'False');
    assert.equal(valid?.reason, 'ForeignObject');
    assert.match(valid?.message ?? '', /Service shop-primary \(owner: no owner\): not Fledge's/);
    assert.equal(await splitExists(h, 'shop'), false, 'no traffic is routed anywhere');
    assert.equal(await deploymentExists(h, 'shop-primary'), false, 'no primary was created');
    const after = await core(h).readNamespacedService({ namespace, name: 'shop-primary' });
    assert.deepEqual(visible(after), visible(theirs), 'their Service is exactly as it was');
    assert.equal((await h.deployment('shop')).spec?.replicas, 2, 'the app keeps serving at its size');
    assert.equal((await foreignEvents(h)).length, 1, 'one Event, not one per reconcile');
  });

  it('a foreign Deployment cart-primary is not taken over and cart is never scaled to zero', async (t) => {
    const h = await releaseHarness(t);
    const apps = h.kc.makeApiClient(AppsV1Api);
    const labels = { app: 'cart-legacy' };
    const theirs = await apps.createNamespacedDeployment({ namespace, body: {
      metadata: { name: 'cart-primary' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'legacy:9' }] } } },
    } });
    await h.deploy('cart');
    await reconcileAFewTimes(h, 'cart');
    const valid = await condition(h, 'cart', 'ConfigValid');
    assert.equal(valid?.reason, 'ForeignObject');
    assert.match(valid?.message ?? '', /Deployment cart-primary \(owner: no owner\)/);
    const after = await apps.readNamespacedDeployment({ namespace, name: 'cart-primary' });
    assert.deepEqual(after.spec?.template, theirs.spec?.template);
    assert.deepEqual(after.metadata?.ownerReferences, theirs.metadata?.ownerReferences);
    assert.equal((await h.deployment('cart')).spec?.replicas, 2);
    assert.equal(await splitExists(h, 'cart'), false);
  });

  it('another team\'s ConfigMap settings-primary and Secret creds-primary are never overwritten, re-owned or deleted', async (t) => {
    const h = await releaseHarness(t);
    const api = core(h);
    await api.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { mode: 'ours' } } });
    await api.createNamespacedSecret({ namespace, body: { metadata: { name: 'creds' }, data: { token: Buffer.from('ours').toString('base64') } } });
    const theirMap = await api.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings-primary' }, data: { mode: 'theirs' } } });
    const theirSecret = await api.createNamespacedSecret({ namespace, body: { metadata: { name: 'creds-primary' }, data: { token: Buffer.from('theirs').toString('base64') } } });
    await h.deploy('api', { annotations: { 'fledge.dev/track': 'configmap/settings,secret/creds' } });
    await reconcileAFewTimes(h, 'api');
    const valid = await condition(h, 'api', 'ConfigValid');
    assert.match(valid?.message ?? '', /ConfigMap settings-primary \(owner: no owner\)/);
    assert.match(valid?.message ?? '', /Secret creds-primary \(owner: no owner\)/);
    // Hand-back deletes the Canary: garbage collection must find nothing of theirs to remove.
    const apps = h.kc.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment({ namespace, name: 'api', body: [{ op: 'replace', path: '/metadata/annotations/fledge.dev~1canary', value: 'false' }] });
    await reconcileAFewTimes(h, 'api');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(visible(await api.readNamespacedConfigMap({ namespace, name: 'settings-primary' })), visible(theirMap));
    assert.deepEqual(visible(await api.readNamespacedSecret({ namespace, name: 'creds-primary' })), visible(theirSecret));
  });

  it('a TrafficSplit labelled as Fledge\'s but owned by another Canary is foreign', async (t) => {
    const h = await releaseHarness(t);
    const api = h.kc.makeApiClient(CustomObjectsApi);
    const split = { group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace };
    // Its owner exists (an orphan would be garbage-collected, here as in a cluster).
    const other = await api.createNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace, body: {
      apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'other' }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'other' } },
    } }) as { metadata: { uid: string } };
    const theirs = await api.createNamespacedCustomObject({ ...split, body: {
      apiVersion: 'split.smi-spec.io/v1alpha2', kind: 'TrafficSplit',
      metadata: { name: 'web', labels: { 'app.kubernetes.io/managed-by': 'fledge' }, ownerReferences: [{ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'other', uid: other.metadata.uid }] },
      spec: { service: 'web', backends: [{ service: 'elsewhere', weight: 100 }] },
    } }) as { metadata: { resourceVersion: string } };
    await h.deploy('web');
    await reconcileAFewTimes(h, 'web');
    assert.match((await condition(h, 'web', 'ConfigValid'))?.message ?? '', /TrafficSplit web \(owner: Canary\/other\)/);
    const after = await api.getNamespacedCustomObject({ ...split, name: 'web' }) as { metadata: { resourceVersion: string } };
    assert.equal(after.metadata.resourceVersion, theirs.metadata.resourceVersion);
  });

  it('the release goes ahead once the stranger is gone', async (t) => {
    const h = await releaseHarness(t);
    await core(h).createNamespacedService({ namespace, body: { metadata: { name: 'shop-canary' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } } });
    await h.deploy('shop');
    await reconcileAFewTimes(h, 'shop', 2);
    assert.equal((await condition(h, 'shop', 'ConfigValid'))?.status, 'False');
    await core(h).deleteNamespacedService({ namespace, name: 'shop-canary' });
    const status = await h.runUntil('shop', (s) => s.phase === 'Ready');
    assert.equal(status.status.conditions.find((c: { type: string }) => c.type === 'ConfigValid').status, 'True');
    assert.equal(await splitExists(h, 'shop'), true);
  });
});

describe('derived names and selectors Kubernetes would refuse', () => {
  it('an app name whose -primary/-canary Services would pass 63 characters is refused before anything is created', async (t) => {
    const h = await releaseHarness(t);
    const name = 'a'.repeat(56);
    await h.deploy(name);
    await reconcileAFewTimes(h, name, 2);
    const valid = await condition(h, name, 'ConfigValid');
    assert.equal(valid?.reason, 'InvalidTarget');
    assert.match(valid?.message ?? '', /is 56 characters: its Services .* would pass the 63-character limit of a Service name; allowed are names of at most 55 characters/);
    assert.equal(await deploymentExists(h, `${name}-primary`), false, 'no primary doubling the pods');
    assert.equal((await h.deployment(name)).spec?.replicas, 2);
  });

  it('a selector with matchExpressions is refused with what is allowed, and nothing is created', async (t) => {
    const h = await releaseHarness(t);
    const apps = h.kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace, body: {
      metadata: { name: 'expr', annotations: { 'fledge.dev/canary': 'true' } },
      spec: {
        replicas: 1,
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['expr'] }] },
        template: { metadata: { labels: { app: 'expr' } }, spec: { containers: [{ name: 'c', image: 'expr:1' }] } },
      },
    } });
    await reconcileAFewTimes(h, 'expr', 2);
    const valid = await condition(h, 'expr', 'ConfigValid');
    assert.match(valid?.message ?? '', /spec.selector uses matchExpressions: .* allowed is a selector of matchLabels alone/);
    assert.equal(await deploymentExists(h, 'expr-primary'), false);
  });
});

describe('the apex Service', () => {
  async function apex(h: Harness, name: string): Promise<V1Service> {
    return core(h).readNamespacedService({ namespace, name });
  }

  it('a user\'s apex selects the primary once it is ready, and hand-back restores its selector exactly', async (t) => {
    const h = await releaseHarness(t);
    await core(h).createNamespacedService({ namespace, body: {
      metadata: { name: 'shop', annotations: { owner: 'team-shop' } },
      spec: { type: 'ClusterIP', selector: { app: 'shop', tier: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    } });
    const apps = h.kc.makeApiClient(AppsV1Api);
    const labels = { app: 'shop', tier: 'web' };
    await apps.createNamespacedDeployment({ namespace, body: {
      metadata: { name: 'shop', annotations: { 'fledge.dev/canary': 'true' } },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'shop:1' }] } } },
    } });
    await h.runUntil('shop', (s) => s.phase === 'Ready');
    await reconcileAFewTimes(h, 'shop', 2);
    const during = await apex(h, 'shop');
    assert.deepEqual(during.spec?.selector, { app: 'shop-primary', tier: 'web-primary' }, 'clients outside the mesh reach the primary');
    assert.equal(during.metadata?.annotations?.owner, 'team-shop');
    await apps.patchNamespacedDeployment({ namespace, name: 'shop', body: [{ op: 'replace', path: '/metadata/annotations/fledge.dev~1canary', value: 'false' }] });
    for (let i = 0; i < 6 && (await h.canary('shop').then(() => true, () => false)); i += 1) await reconcileAFewTimes(h, 'shop', 1);
    const after = await apex(h, 'shop');
    assert.deepEqual(after.spec?.selector, { app: 'shop', tier: 'web' });
    assert.deepEqual(after.metadata?.annotations, { owner: 'team-shop' }, 'no Fledge annotation is left behind');
  });

  it('an apex Fledge created selects the primary, and after hand-back the app\'s own pods', async (t) => {
    const h = await releaseHarness(t);
    await h.deploy('web');
    await h.runUntil('web', (s) => s.phase === 'Ready');
    await reconcileAFewTimes(h, 'web', 2);
    assert.deepEqual((await apex(h, 'web')).spec?.selector, { app: 'web-primary' });
    const apps = h.kc.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment({ namespace, name: 'web', body: [{ op: 'replace', path: '/metadata/annotations/fledge.dev~1canary', value: 'false' }] });
    for (let i = 0; i < 6 && (await h.canary('web').then(() => true, () => false)); i += 1) await reconcileAFewTimes(h, 'web', 1);
    assert.deepEqual((await apex(h, 'web')).spec?.selector, { app: 'web' });
  });
});
