// Fledge never touches what is not its own: an existing `-primary` Deployment, Service,
// ConfigMap or Secret of another team, or a TrafficSplit another Canary owns, is reported on
// the Canary (ConfigValid=False, ForeignObject) and left exactly as it was; nothing is created.
// Derived names that would break Kubernetes' limits are refused before anything is created.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { memoryHarness, type MemoryHarness as Harness } from '../support/release-harness.ts';

const namespace = 'default';
const handBack = { metadata: { annotations: { 'fledge.dev/canary': 'false' } } };

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
  return h.cluster.store.peek('trafficsplits', namespace, name) !== null;
}

async function deploymentExists(h: Harness, name: string): Promise<boolean> {
  return (await h.admin.getDeployment(namespace, name)) !== null;
}

/** What of an object another team would notice changing. */
function visible(object: { metadata?: { labels?: unknown; annotations?: unknown; ownerReferences?: unknown; resourceVersion?: string }; spec?: unknown; data?: unknown }): unknown {
  const { labels, annotations, ownerReferences, resourceVersion } = object.metadata ?? {};
  return { labels, annotations, ownerReferences, resourceVersion, spec: object.spec, data: object.data };
}

async function foreignEvents(h: Harness): Promise<string[]> {
  const events = await h.events();
  return events.filter((e) => e.reason === 'ForeignObject').map((e) => e.message ?? '');
}

describe('objects of someone else under Fledge\'s names', () => {
  it('a foreign Service shop-primary selecting another app is not adopted: no split, no primary, the Canary says why', async (t) => {
    const h = await memoryHarness(t);
    const theirs = await h.admin.createService({
      metadata: { name: 'shop-primary', namespace, labels: { team: 'payments' } },
      spec: { selector: { app: 'payments' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await h.deploy('shop');
    await reconcileAFewTimes(h, 'shop');
    const valid = await condition(h, 'shop', 'ConfigValid');
    assert.equal(valid?.status, 'False');
    assert.equal(valid?.reason, 'ForeignObject');
    assert.match(valid?.message ?? '', /Service shop-primary \(owner: no owner\): not Fledge's/);
    assert.equal(await splitExists(h, 'shop'), false, 'no traffic is routed anywhere');
    assert.equal(await deploymentExists(h, 'shop-primary'), false, 'no primary was created');
    const after = await h.admin.getService(namespace, 'shop-primary');
    assert.deepEqual(visible(after!), visible(theirs), 'their Service is exactly as it was');
    assert.deepEqual(h.cluster.log.writes.filter((w) => w.name === 'shop-primary'), [], 'no write was even tried on it');
    assert.equal((await h.deployment('shop')).spec?.replicas, 2, 'the app keeps serving at its size');
    assert.equal((await foreignEvents(h)).length, 1, 'one Event, not one per reconcile');
  });

  it('an app named like another app\'s backend (shop-canary beside shop) does not take that Service as its own address', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('shop');
    await reconcileAFewTimes(h, 'shop');
    const backend = await h.admin.getService(namespace, 'shop-canary');
    assert.equal(backend?.metadata?.ownerReferences?.[0]?.kind, 'Canary', 'shop\'s canary backend, owned by Canary shop');
    await h.deploy('shop-canary');
    await reconcileAFewTimes(h, 'shop-canary');
    const valid = await condition(h, 'shop-canary', 'ConfigValid');
    assert.equal(valid?.reason, 'ForeignObject');
    assert.match(valid?.message ?? '', /Service shop-canary \(owner: Canary\/shop\)/);
    assert.deepEqual(visible((await h.admin.getService(namespace, 'shop-canary'))!), visible(backend!), 'shop\'s backend is exactly as it was');
    assert.equal(await splitExists(h, 'shop-canary'), false);
    // Handing shop-canary back does not write it either.
    await h.admin.patchDeployment(namespace, 'shop-canary', handBack);
    await reconcileAFewTimes(h, 'shop-canary');
    assert.deepEqual(visible((await h.admin.getService(namespace, 'shop-canary'))!), visible(backend!));
  });

  it('a foreign Deployment cart-primary is not taken over and cart is never scaled to zero', async (t) => {
    const h = await memoryHarness(t);
    const labels = { app: 'cart-legacy' };
    const theirs = await h.admin.createDeployment({
      metadata: { name: 'cart-primary', namespace },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'legacy:9' }] } } },
    });
    await h.deploy('cart');
    await reconcileAFewTimes(h, 'cart');
    const valid = await condition(h, 'cart', 'ConfigValid');
    assert.equal(valid?.reason, 'ForeignObject');
    assert.match(valid?.message ?? '', /Deployment cart-primary \(owner: no owner\)/);
    const after = await h.deployment('cart-primary');
    assert.deepEqual(after.spec?.template, theirs.spec?.template);
    assert.deepEqual(after.metadata?.ownerReferences, theirs.metadata?.ownerReferences);
    assert.equal((await h.deployment('cart')).spec?.replicas, 2);
    assert.equal(await splitExists(h, 'cart'), false);
  });

  it('another team\'s ConfigMap settings-primary and Secret creds-primary are never overwritten, re-owned or deleted', async (t) => {
    const h = await memoryHarness(t);
    await h.admin.applyConfigMap({ metadata: { name: 'settings', namespace }, data: { mode: 'ours' } });
    await h.admin.applySecret({ metadata: { name: 'creds', namespace }, data: { token: Buffer.from('ours').toString('base64') } });
    const theirMap = await h.admin.applyConfigMap({ metadata: { name: 'settings-primary', namespace }, data: { mode: 'theirs' } });
    const theirSecret = await h.admin.applySecret({ metadata: { name: 'creds-primary', namespace }, data: { token: Buffer.from('theirs').toString('base64') } });
    await h.deploy('api', { annotations: { 'fledge.dev/track': 'configmap/settings,secret/creds' } });
    await reconcileAFewTimes(h, 'api');
    const valid = await condition(h, 'api', 'ConfigValid');
    assert.match(valid?.message ?? '', /ConfigMap settings-primary \(owner: no owner\)/);
    assert.match(valid?.message ?? '', /Secret creds-primary \(owner: no owner\)/);
    // Hand-back deletes the Canary: garbage collection must find nothing of theirs to remove.
    await h.admin.patchDeployment(namespace, 'api', handBack);
    await reconcileAFewTimes(h, 'api');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(visible((await h.admin.getConfigMap(namespace, 'settings-primary'))!), visible(theirMap));
    assert.deepEqual(visible((await h.admin.getSecret(namespace, 'creds-primary'))!), visible(theirSecret));
  });

  it('a TrafficSplit labelled as Fledge\'s but owned by another Canary is foreign', async (t) => {
    const h = await memoryHarness(t);
    // Its owner exists (an orphan would be garbage-collected, here as in a cluster).
    const other = await h.admin.createCanary({
      apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'other', namespace }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'other' } },
    });
    await h.put('trafficsplits', {
      apiVersion: 'split.smi-spec.io/v1alpha2', kind: 'TrafficSplit',
      metadata: { name: 'web', labels: { 'app.kubernetes.io/managed-by': 'fledge' }, ownerReferences: [{ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'other', uid: other.metadata.uid! }] },
      spec: { service: 'web', backends: [{ service: 'elsewhere', weight: 100 }] },
    });
    const theirs = h.cluster.store.peek('trafficsplits', namespace, 'web')!;
    await h.deploy('web');
    await reconcileAFewTimes(h, 'web');
    assert.match((await condition(h, 'web', 'ConfigValid'))?.message ?? '', /TrafficSplit web \(owner: Canary\/other\)/);
    const after = h.cluster.store.peek('trafficsplits', namespace, 'web')!;
    assert.equal(after.metadata.resourceVersion, theirs.metadata.resourceVersion);
  });

  it('the release goes ahead once the stranger is gone', async (t) => {
    const h = await memoryHarness(t);
    await h.admin.createService({ metadata: { name: 'shop-canary', namespace }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
    await h.deploy('shop');
    await reconcileAFewTimes(h, 'shop', 2);
    assert.equal((await condition(h, 'shop', 'ConfigValid'))?.status, 'False');
    await h.remove('services', 'shop-canary');
    const status = await h.runUntil('shop', (s) => s.phase === 'Ready');
    assert.equal(status.status.conditions.find((c: { type: string }) => c.type === 'ConfigValid').status, 'True');
    assert.equal(await splitExists(h, 'shop'), true);
  });
});

describe('derived names and selectors Kubernetes would refuse', () => {
  it('an app name whose -primary/-canary Services would pass 63 characters is refused before anything is created', async (t) => {
    const h = await memoryHarness(t);
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
    const h = await memoryHarness(t);
    await h.admin.createDeployment({
      metadata: { name: 'expr', namespace, annotations: { 'fledge.dev/canary': 'true' } },
      spec: {
        replicas: 1,
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['expr'] }] },
        template: { metadata: { labels: { app: 'expr' } }, spec: { containers: [{ name: 'c', image: 'expr:1' }] } },
      },
    });
    await reconcileAFewTimes(h, 'expr', 2);
    const valid = await condition(h, 'expr', 'ConfigValid');
    assert.match(valid?.message ?? '', /spec.selector uses matchExpressions: .* allowed is a selector of matchLabels alone/);
    assert.equal(await deploymentExists(h, 'expr-primary'), false);
  });
});

describe('the apex Service', () => {
  async function apex(h: Harness, name: string): Promise<V1Service> {
    const service = await h.admin.getService(namespace, name);
    assert.ok(service, `Service ${name} exists`);
    return service;
  }

  it('a user\'s apex selects the primary once it is ready, and hand-back restores its selector exactly', async (t) => {
    const h = await memoryHarness(t);
    await h.admin.createService({
      metadata: { name: 'shop', namespace, annotations: { owner: 'team-shop' } },
      spec: { type: 'ClusterIP', selector: { app: 'shop', tier: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    const labels = { app: 'shop', tier: 'web' };
    await h.admin.createDeployment({
      metadata: { name: 'shop', namespace, annotations: { 'fledge.dev/canary': 'true' } },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'shop:1' }] } } },
    });
    await h.runUntil('shop', (s) => s.phase === 'Ready');
    await reconcileAFewTimes(h, 'shop', 2);
    const during = await apex(h, 'shop');
    assert.deepEqual(during.spec?.selector, { app: 'shop-primary', tier: 'web-primary' }, 'clients outside the mesh reach the primary');
    assert.equal(during.metadata?.annotations?.owner, 'team-shop');
    await h.admin.patchDeployment(namespace, 'shop', handBack);
    for (let i = 0; i < 6 && (await h.canary('shop').then(() => true, () => false)); i += 1) await reconcileAFewTimes(h, 'shop', 1);
    const after = await apex(h, 'shop');
    assert.deepEqual(after.spec?.selector, { app: 'shop', tier: 'web' });
    assert.deepEqual(after.metadata?.annotations, { owner: 'team-shop' }, 'no Fledge annotation is left behind');
  });

  it('an apex Fledge created selects the primary, and after hand-back the app\'s own pods', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('web');
    await h.runUntil('web', (s) => s.phase === 'Ready');
    await reconcileAFewTimes(h, 'web', 2);
    assert.deepEqual((await apex(h, 'web')).spec?.selector, { app: 'web-primary' });
    await h.admin.patchDeployment(namespace, 'web', handBack);
    for (let i = 0; i < 6 && (await h.canary('web').then(() => true, () => false)); i += 1) await reconcileAFewTimes(h, 'web', 1);
    assert.deepEqual((await apex(h, 'web')).spec?.selector, { app: 'web' });
  });
});
