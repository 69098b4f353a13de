// Every loop is bounded: a release waiting for a closed deployment window writes nothing while
// it waits, and a request the API server refuses for good is reported on the Canary and looked
// at again minutes later, not retried in a hot loop or in silence.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles, memoryHarness } from '../support/release-harness.ts';
import { createController } from '../../src/controller/controller.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import { reconcileOrReport, refusalRetryMs } from '../../src/controller/refusals.ts';
import { FledgeError } from '../../src/errors.ts';
import { until } from '../support/until.ts';

const never = { measure: async () => { throw new Error('nothing is measured before the first step'); } };


describe('bounded loops', () => {
  it('a release that starts while the deployment window is closed writes its status once and then waits quietly', async (t) => {
    const { kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0 });
    await applyFiles(kc, crdFiles);
    let reconciles = 0;
    const controller = await createController({
      kubeConfig: kc, metrics: never, resyncMs: 60_000, log: pino({ level: 'silent' }),
      telemetry: { verdict: () => undefined, canary: () => undefined, reconciled: () => { reconciles += 1; } },
    });
    await controller.start();
    t.after(() => controller.stop());
    // A window of one minute each hour, half an hour from now: closed for the whole test.
    const minute = (new Date().getUTCMinutes() + 30) % 60;
    const apps = kc.makeApiClient(AppsV1Api);
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({ namespace: 'default', body: {
      metadata: { name: 'web', annotations: { 'fledge.dev/canary': 'true', 'fledge.dev/window': `${minute} * * * *` } },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
    } });
    const custom = kc.makeApiClient(CustomObjectsApi);
    const canary = (): Promise<any> => custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name: 'web' });
    await until('bootstrap', canary, (c) => c.status?.phase === 'Ready');
    const d = await apps.readNamespacedDeployment({ namespace: 'default', name: 'web' });
    d.spec!.template.spec!.containers[0]!.image = 'web:2';
    await apps.replaceNamespacedDeployment({ namespace: 'default', name: 'web', body: d });
    const waiting = await until('the window pause', canary, (c) => c.status?.pausedBy === 'window');
    const before = reconciles;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const after = await canary();
    assert.equal(after.metadata.resourceVersion, waiting.metadata.resourceVersion, 'no status write while the window stays closed');
    assert.ok(reconciles - before <= 3, `${reconciles - before} reconciles in 3 s while waiting for the window`);
    assert.equal(after.status.canaryWeight, 0);
  });

  it('a permanent refusal sets Reconciled=False with the code, says it in one Event, and is looked at again in minutes', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('app');
    await h.runUntil('app', (s) => s.phase === 'Ready');
    await h.setImage('app', 'app:2');
    const refusing = {
      ...h.deps,
      cluster: {
        ...h.deps.cluster,
        scaleDeployment: async (): Promise<string | null> => {
          throw new FledgeError('FLEDGE_API_REJECTED', 'patch deployment default/app scale refused (403): deployments.apps "app" is forbidden');
        },
      },
    };
    const key = { namespace: 'default', name: 'app' };
    const first = await reconcileOrReport(refusing, key);
    const second = await reconcileOrReport(refusing, key);
    assert.equal(first.requeueAfterMs, refusalRetryMs);
    assert.equal(second.requeueAfterMs, refusalRetryMs);
    const status = (await h.canary('app')).status;
    const reconciled = status.conditions.find((c: { type: string }) => c.type === 'Reconciled');
    assert.equal(reconciled.status, 'False');
    assert.equal(reconciled.reason, 'ApiRejected', 'the error code in CamelCase, as metav1.Condition reasons are');
    assert.match(reconciled.message, /forbidden .*FLEDGE_API_REJECTED.*looking again in 5m/);
    const refused = (await h.events()).filter((e) => e.reason === 'ReconcileRefused') as Array<{ count?: number }>;
    assert.equal(refused.length, 1, 'one Event, its count bumped');
    assert.equal(refused[0]?.count, 2);
    // Once the API lets it through, the run goes on and the condition clears.
    await h.step('app');
    const cleared = (await h.canary('app')).status.conditions.find((c: { type: string }) => c.type === 'Reconciled');
    assert.equal(cleared.status, 'True');
  });

  it('a retryable failure still goes to the work queue\'s backoff', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('app');
    const flaky = { ...h.deps, cluster: { ...h.deps.cluster, getDeployment: async (): Promise<never> => { throw new FledgeError('FLEDGE_API_UNAVAILABLE', 'get deployment: 503'); } } };
    await assert.rejects(reconcileOrReport(flaky, { namespace: 'default', name: 'app' }), { code: 'FLEDGE_API_UNAVAILABLE' });
  });
});

describe('a release held by a bad annotation', () => {
  it('still obeys `fledge abort`: traffic back to the primary, the canary to zero, the revision failed', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('app', { annotations: { 'fledge.dev/steps': '20,50' } });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    await h.setImage('app', 'app:2');
    await h.runUntil('app', (s) => s.canaryWeight === 20);
    await h.admin.patchDeployment('default', 'app', { metadata: { annotations: { 'fledge.dev/steps': 'bogus' } } });
    await h.step('app');
    const held = (await h.canary('app')).status;
    assert.equal(held.conditions.find((c: { type: string }) => c.type === 'ConfigValid').status, 'False');
    assert.equal(h.writes.at(-1)?.canaryWeight, 20, 'a bad annotation moves no traffic by itself');
    await h.admin.patchCanaryAnnotations('default', 'app', { 'fledge.dev/request': JSON.stringify({ id: 'abort-1', verb: 'abort' }) });
    const released: string[] = [];
    const telemetry = { verdict: () => undefined, canary: () => undefined, released: (_names: unknown, release: { outcome: string }) => released.push(release.outcome) };
    await reconcile({ ...h.deps, telemetry }, { namespace: 'default', name: 'app' });
    assert.deepEqual(released, ['aborted'], '/metrics counts the aborted release once');
    const aborted = (await h.canary('app')).status;
    assert.equal(aborted.phase, 'Failed');
    assert.match(aborted.message, /aborted by a person while the configuration is invalid/);
    assert.equal(h.writes.at(-1)?.canaryWeight, 0);
    assert.equal((await h.deployment('app')).spec?.replicas, 0);
  });
});
