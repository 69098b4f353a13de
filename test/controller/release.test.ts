import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { memoryHarness, releaseHarness, type ScenarioHarness } from '../support/release-harness.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };
const terminal = (s: Record<string, any>) => s.phase === 'Succeeded' || s.phase === 'Failed';

async function bootstrap(h: ScenarioHarness, name = 'app', annotations: Record<string, string> = fast): Promise<void> {
  await h.deploy(name, { annotations });
  await h.runUntil(name, (s) => s.phase === 'Ready');
}

function split(h: ScenarioHarness, name = 'app'): Promise<Record<string, number>> {
  return h.split(name);
}

// End to end over HTTP: the emulator, client-node, and the controller's RBAC (one release per router path).
describe('releasing an annotated Deployment through a TrafficSplit, over the emulator', () => {
  it('bootstraps: primary serving, target at zero, all traffic on the primary', async (t) => {
    const h = await releaseHarness(t);
    await bootstrap(h);
    const primary = await h.deployment('app-primary');
    assert.equal(primary.spec?.template.spec?.containers[0]?.image, 'app:1.0');
    assert.equal(primary.spec?.selector.matchLabels?.app, 'app-primary');
    assert.equal((await h.deployment('app')).spec?.replicas, 0);
    assert.deepEqual(await split(h), { 'app-primary': 100, 'app-canary': 0 });
    const core = h.kc.makeApiClient(CoreV1Api);
    for (const name of ['app', 'app-primary', 'app-canary']) assert.ok(await core.readNamespacedService({ namespace: 'default', name }));
  });

  it('promotes a good revision through every step', async (t) => {
    const h = await releaseHarness(t);
    await bootstrap(h);
    await h.setImage('app', 'app:2.0');
    const canary = await h.runUntil('app', terminal);
    assert.equal(canary.status.phase, 'Succeeded', canary.status.message);
    assert.equal(canary.status.lastPromotedRevision, canary.status.revision);
    assert.equal(canary.status.conditions.find((c: any) => c.type === 'Promoted').status, 'True');
    assert.deepEqual(h.writes.map((w) => w.canaryWeight).filter((w, i, all) => w !== all[i - 1]), [0, 10, 50, 0]);
    assert.equal((await h.deployment('app-primary')).spec?.template.spec?.containers[0]?.image, 'app:2.0');
    assert.equal((await h.deployment('app')).spec?.replicas, 0);
    assert.deepEqual(await split(h), { 'app-primary': 100, 'app-canary': 0 });
  });


  it('promotes through a v1alpha1 TrafficSplit, weights written as quantities', async (t) => {
    const h = await releaseHarness(t);
    await bootstrap(h, 'app', { ...fast, 'fledge.dev/router': 'smi-v1alpha1' });
    await h.setImage('app', 'app:2.0');
    const canary = await h.runUntil('app', terminal);
    assert.equal(canary.status.phase, 'Succeeded', canary.status.message);
    assert.deepEqual(h.writes.map((w) => w.canaryWeight).filter((w, i, all) => w !== all[i - 1]), [0, 10, 50, 0]);
    assert.deepEqual(await split(h), { 'app-primary': 100, 'app-canary': 0 });
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const raw = (await h.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha1', plural: 'trafficsplits', namespace: 'default', name: 'app' })) as any;
    assert.ok(raw.spec.backends.every((b: { weight: unknown }) => typeof b.weight === 'string'), 'v1alpha1 weights are quantities');
  });
});

// The decisions, against the in-memory cluster (no HTTP).
describe('releasing an annotated Deployment through a TrafficSplit', () => {
  it('rolls back a bad revision, traffic first, and does not retry it until asked', async (t) => {
    const h = await memoryHarness(t);
    await bootstrap(h);
    h.script = { ...h.script, canary: () => ({ failure: 0.05, slow: 0.002 }) };
    await h.setImage('app', 'app:2.0');
    const canary = await h.runUntil('app', terminal);
    assert.equal(canary.status.phase, 'Failed');
    assert.equal(canary.status.lastFailedRevision, canary.status.revision);
    assert.match(canary.status.message, /rolled back/);
    assert.equal(h.writes.at(-1)?.canaryWeight, 0);
    assert.equal((await h.deployment('app')).spec?.replicas, 0);
    assert.equal((await h.deployment('app-primary')).spec?.template.spec?.containers[0]?.image, 'app:1.0');
    const writes = h.writes.length;
    for (let i = 0; i < 5; i += 1) {
      await h.step('app');
      h.advance(30_000);
    }
    assert.equal((await h.canary('app')).status.phase, 'Failed');
    assert.equal(h.writes.length, writes, 'no traffic moves for a failed revision');
    await h.admin.patchCanaryAnnotations('default', 'app', { 'fledge.dev/request': '{"id":"retry-1","verb":"retry"}' });
    h.script = { ...h.script, canary: () => ({ failure: 0.005, slow: 0.002 }) };
    const retried = await h.runUntil('app', terminal);
    assert.equal(retried.status.phase, 'Succeeded');
  });

  it('restarts at weight 0 when a newer revision arrives mid-run', async (t) => {
    const h = await memoryHarness(t);
    await bootstrap(h);
    await h.setImage('app', 'app:2.0');
    const first = await h.runUntil('app', (s) => s.canaryWeight === 50);
    await h.setImage('app', 'app:3.0');
    await h.step('app');
    const restarted = await h.canary('app');
    assert.notEqual(restarted.status.revision, first.status.revision);
    assert.equal(restarted.status.canaryWeight, 0);
    assert.equal(h.writes.at(-1)?.canaryWeight, 0);
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Succeeded');
    assert.equal((await h.deployment('app-primary')).spec?.template.spec?.containers[0]?.image, 'app:3.0');
  });

  it('rolls back a canary that never becomes ready, without sending it traffic', async (t) => {
    const h = await memoryHarness(t);
    await bootstrap(h);
    h.cluster.workloads.neverReady({ image: 'app:broken' });
    await h.setImage('app', 'app:broken');
    const canary = await h.runUntil('app', terminal);
    assert.equal(canary.status.phase, 'Failed');
    assert.match(canary.status.message, /rolled back: only 0 of 2 canary pods ready after \d+ minutes, past the progress deadline of 2 minutes$/);
    assert.ok(h.writes.every((w) => w.canaryWeight === 0));
  });

  it('starts a run when a ConfigMap the pods use changes', async (t) => {
    const h = await memoryHarness(t);
    await h.admin.applyConfigMap({ metadata: { name: 'app-config', namespace: 'default' }, data: { greeting: 'hello' } });
    await h.deploy('app', { annotations: fast });
    const d = await h.deployment('app');
    d.spec!.template.spec!.containers[0]!.envFrom = [{ configMapRef: { name: 'app-config' } }];
    await h.admin.replaceDeployment(d);
    const ready = await h.runUntil('app', (s) => s.phase === 'Ready');
    const copy = await h.admin.getConfigMap('default', 'app-config-primary');
    assert.equal(copy?.data?.greeting, 'hello');
    assert.equal((await h.deployment('app-primary')).spec?.template.spec?.containers[0]?.envFrom?.[0]?.configMapRef?.name, 'app-config-primary');
    await h.admin.applyConfigMap({ metadata: { name: 'app-config', namespace: 'default' }, data: { greeting: 'bonjour' } });
    await h.step('app');
    const started = await h.canary('app');
    assert.equal(started.status.phase, 'Progressing');
    assert.notEqual(started.status.revision, ready.status.revision);
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Succeeded');
    assert.equal((await h.admin.getConfigMap('default', 'app-config-primary'))?.data?.greeting, 'bonjour');
  });

  it('reports a bad annotation on the Canary and moves no traffic', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('app', { annotations: { 'fledge.dev/interval': '3s' } });
    await h.step('app');
    const canary = await h.canary('app');
    const condition = canary.status.conditions.find((c: any) => c.type === 'ConfigValid');
    assert.equal(condition.status, 'False');
    assert.match(condition.message, /fledge\.dev\/interval/);
    assert.match(condition.message, /3s/);
    assert.equal(h.writes.length, 0);
  });

  it('refuses notification targets the operator did not allow, saying so in an Event', async (t) => {
    const h = await memoryHarness(t);
    const seen: string[][] = [];
    h.deps.notifier.deliver = (entry, onDone) => {
      seen.push([...(entry.notice.webhooks ?? [])]);
      queueMicrotask(() => onDone('delivered'));
    };
    await bootstrap(h, 'app', { ...fast, 'fledge.dev/webhooks': 'http://169.254.169.254/latest,https://hooks.example.com/fledge' });
    const refused = (await h.events()).find((e) => e.reason === 'WebhookRefused');
    assert.ok(refused, 'a WebhookRefused Event');
    assert.match(refused.message ?? '', /169\.254\.169\.254/);
    assert.ok(seen.length > 0 && seen.every((targets) => targets.length === 0), 'nothing outside the allow-list is called');
  });

  it('hands the app back when the annotation is removed', async (t) => {
    const h = await memoryHarness(t);
    await bootstrap(h);
    await h.admin.patchDeployment('default', 'app', { metadata: { annotations: { 'fledge.dev/canary': null } } });
    for (let i = 0; i < 20; i += 1) {
      await h.step('app');
      await new Promise((r) => setTimeout(r, 10));
      h.advance(2000);
    }
    const target = await h.deployment('app');
    assert.equal(target.spec?.replicas, 2);
    await assert.rejects(h.canary('app'), /404|not found/i);
  });
});
