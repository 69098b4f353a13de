// Custom resources are pruned and validated against their CRD version's openAPIV3Schema, with the
// real server's 422 bodies, through client-node and through the real kubectl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiextensionsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { toStatus } from '../../../src/ports/canary-status.ts';
import type { CanaryState } from '../../../src/core/state.ts';
import { withEmulator } from '../../support/emulator.ts';
import { crdFiles, installCrds } from '../../fixtures/crds/install.ts';
import { statusOf } from './fixtures.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const canaries = { group: 'fledge.dev', version: 'v1alpha1', namespace: 'default', plural: 'canaries' };
const splits = { group: 'split.smi-spec.io', namespace: 'default', plural: 'trafficsplits' };
const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

function canary(spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'shop' }, spec: { targetRef: { name: 'shop' }, ...spec }, ...extra };
}

function split(version: string, weight: unknown): Record<string, unknown> {
  return {
    apiVersion: `split.smi-spec.io/${version}`, kind: 'TrafficSplit', metadata: { name: 'shop' },
    spec: { service: 'shop', backends: [{ service: 'shop-primary', weight: 90 }, { service: 'shop-canary', weight }] },
  };
}

async function withCanaries(t: Parameters<typeof withEmulator>[0]): Promise<{ kubeConfig: KubeConfig; custom: CustomObjectsApi }> {
  const fixture = await withEmulator(t);
  await installCrds(fixture.kubeConfig, crdFiles.canary, crdFiles.linkerdSmi);
  return { ...fixture, custom: fixture.kubeConfig.makeApiClient(CustomObjectsApi) };
}

void test('a Canary field of the wrong type is refused 422 Invalid, with the field path and kube\'s message', async (t) => {
  const { custom } = await withCanaries(t);
  const failed = await statusOf(custom.createNamespacedCustomObject({ ...canaries, body: canary({ targetRef: { name: 5 } }) }));
  assert.equal(failed.code, 422);
  assert.equal(failed.body.reason, 'Invalid');
  assert.equal(failed.body.message, 'Canary.fledge.dev "shop" is invalid: spec.targetRef.name: Invalid value: "integer": spec.targetRef.name in body must be of type string: "integer"');
  assert.deepEqual(failed.body.details.causes, [{
    reason: 'FieldValueTypeInvalid', field: 'spec.targetRef.name',
    message: 'Invalid value: "integer": spec.targetRef.name in body must be of type string: "integer"',
  }]);
  assert.equal(failed.body.details.group, 'fledge.dev');
  assert.equal(failed.body.details.kind, 'Canary');
});

void test('a Canary without a required field is refused: "Required value"', async (t) => {
  const { custom } = await withCanaries(t);
  const failed = await statusOf(custom.createNamespacedCustomObject({ ...canaries, body: canary({ targetRef: { kind: 'Deployment' } }) }));
  assert.equal(failed.code, 422);
  assert.equal(failed.body.message, 'Canary.fledge.dev "shop" is invalid: spec.targetRef.name: Required value');
  assert.deepEqual(failed.body.details.causes, [{ reason: 'FieldValueRequired', field: 'spec.targetRef.name', message: 'Required value' }]);
});

void test('a value outside an enum is refused with the supported values', async (t) => {
  const { custom } = await withCanaries(t);
  const failed = await statusOf(custom.createNamespacedCustomObject({ ...canaries, body: canary({ targetRef: { name: 'shop', kind: 'Job' } }) }));
  assert.equal(failed.body.message, 'Canary.fledge.dev "shop" is invalid: spec.targetRef.kind: Unsupported value: "Job": supported values: "Deployment"');
  assert.equal(failed.body.details.causes[0]?.reason, 'FieldValueNotSupported');
});

void test('status writes are validated too: out-of-range values, several causes in brackets', async (t) => {
  const { custom } = await withCanaries(t);
  await custom.createNamespacedCustomObject({ ...canaries, body: canary() });
  const failed = await statusOf(custom.patchNamespacedCustomObjectStatus({ ...canaries, name: 'shop', body: { status: { canaryWeight: 101, step: -2 } } }, merge));
  assert.equal(failed.code, 422);
  assert.equal(failed.body.message, 'Canary.fledge.dev "shop" is invalid: ['
    + 'status.canaryWeight: Invalid value: 101: status.canaryWeight in body should be less than or equal to 100, '
    + 'status.step: Invalid value: -2: status.step in body should be greater than or equal to -1]');
  assert.deepEqual(failed.body.details.causes.map((c) => c.field), ['status.canaryWeight', 'status.step']);
  const kept = await custom.getNamespacedCustomObject({ ...canaries, name: 'shop' });
  assert.equal(kept.status, undefined, 'nothing was written');
});

void test('formats the server knows are checked: a date-time that is not one is refused', async (t) => {
  const { custom } = await withCanaries(t);
  await custom.createNamespacedCustomObject({ ...canaries, body: canary() });
  const failed = await statusOf(custom.patchNamespacedCustomObjectStatus({ ...canaries, name: 'shop', body: { status: { runStartedAt: 'yesterday' } } }, merge));
  assert.equal(failed.body.details.causes[0]?.message, 'Invalid value: "yesterday": status.runStartedAt in body must be of type date-time: "yesterday"');
  const fine = await custom.patchNamespacedCustomObjectStatus({ ...canaries, name: 'shop', body: { status: { runStartedAt: '2026-11-23T10:00:00.000Z' } } }, merge);
  assert.equal(fine.status.runStartedAt, '2026-11-23T10:00:00.000Z');
});

void test('unknown fields are pruned and read back without them; fields under preserve-unknown-fields are kept', async (t) => {
  const { custom } = await withCanaries(t);
  const body = canary({ targetRef: { name: 'shop', colour: 'blue' }, steps: [10, 50], analysis: { interval: '1m' } }, { junk: true });
  (body['metadata'] as Record<string, unknown>)['shoeSize'] = 44;
  const created = await custom.createNamespacedCustomObject({ ...canaries, body });
  assert.equal(created.junk, undefined, 'an unknown top-level field goes');
  assert.equal(created.metadata.shoeSize, undefined, 'metadata keeps ObjectMeta fields only');
  assert.deepEqual(created.spec.targetRef, { name: 'shop' }, 'targetRef describes its fields: others go');
  assert.deepEqual(created.spec.steps, [10, 50], 'spec preserves unknown fields');
  assert.deepEqual(created.spec.analysis, { interval: '1m' });
  const read = await custom.getNamespacedCustomObject({ ...canaries, name: 'shop' });
  assert.deepEqual(read.spec, created.spec);
});

void test('patches and server-side apply are pruned and validated like full writes', async (t) => {
  const { custom } = await withCanaries(t);
  await custom.createNamespacedCustomObject({ ...canaries, body: canary() });
  const patched = await custom.patchNamespacedCustomObject({ ...canaries, name: 'shop', body: { spec: { targetRef: { colour: 'red' } } } }, merge);
  assert.deepEqual(patched.spec.targetRef, { name: 'shop' });
  const failed = await statusOf(custom.patchNamespacedCustomObject({ ...canaries, name: 'shop', body: [{ op: 'replace', path: '/spec/targetRef/name', value: true }] }, jsonPatch));
  assert.equal(failed.code, 422);
  assert.equal(failed.body.details.causes[0]?.field, 'spec.targetRef.name');
  const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  const applied = await statusOf(custom.patchNamespacedCustomObject({ ...canaries, name: 'shop', body: canary({ targetRef: { name: 'shop', kind: 'Job' } }), fieldManager: 'test' }, apply));
  assert.equal(applied.body.details.causes[0]?.reason, 'FieldValueNotSupported');
});

void test('nullable fields take null; a null the schema does not allow is pruned, not refused', async (t) => {
  const { custom } = await withCanaries(t);
  const created = await custom.createNamespacedCustomObject({ ...canaries, body: canary() });
  const status = { phase: 'Progressing', revision: null, pausedBy: null, message: null };
  const written = await custom.replaceNamespacedCustomObjectStatus({ ...canaries, name: 'shop', body: { ...created, status } });
  assert.equal(written.status.revision, null);
  assert.equal(written.status.pausedBy, null);
  assert.equal('message' in written.status, false, 'message is not nullable: its null is dropped');
});

void test('the status Fledge writes reads back unchanged: the generated CRD describes every field', async (t) => {
  const { custom } = await withCanaries(t);
  const created = await custom.createNamespacedCustomObject({ ...canaries, body: canary() });
  const state: CanaryState = {
    phase: 'Paused', revision: '7d9f', lastPromotedRevision: '1a2b', lastFailedRevision: '0c0c', canaryWeight: 25, step: 1,
    runStartedAt: 1_800_000_000_000, stepStartedAt: 1_800_000_060_000, analyzedUntil: 1_800_000_120_000, progressAt: 1_800_000_120_000,
    pausedBy: 'no-data', pausedAt: 1_800_000_130_000, userPaused: true, handledRequest: 'r-1', message: 'paused: no data',
    hooks: { preRolloutPassed: true, confirmed: false, confirmPolls: 2, confirmNextAt: 1_800_000_140_000, rolloutCalledFor: 1_800_000_120_000, rolloutCountedTo: 1_800_000_060_000, rolloutFailures: 1, lastFailure: 'rollout hook failed: HTTP 503' },
    evidence: {
      intervals: 3, noDataStreak: 1, failedChecks: 0, measuredMs: 60_000, rollbackAt: 40,
      metrics: [{ name: 'errors', canaryRequests: 300, canaryEvents: 2, primaryRequests: 2700, primaryEvents: 20, ratio: null, harm: Number.MAX_VALUE, safe: 0.5, logLr: { '2': [-0.1, Infinity], '5': [Number.NaN] } }],
    },
  };
  const status = toStatus(state, {
    observedGeneration: 1,
    conditions: [{ type: 'Ready', status: 'False', reason: 'Paused', message: 'paused', lastTransitionTime: '2027-01-15T08:00:00.000Z', observedGeneration: 1 }],
  });
  const sent = JSON.parse(JSON.stringify(status)) as unknown;
  const written = await custom.replaceNamespacedCustomObjectStatus({ ...canaries, name: 'shop', body: { ...created, status } });
  assert.deepEqual(written.status, sent);
});

void test('int-or-string takes an integer or a string, and nothing else', async (t) => {
  const { custom } = await withCanaries(t);
  await custom.createNamespacedCustomObject({ ...splits, version: 'v1alpha1', body: split('v1alpha1', 10) });
  await custom.replaceNamespacedCustomObject({ ...splits, version: 'v1alpha1', name: 'shop', body: split('v1alpha1', '500m') });
  const failed = await statusOf(custom.replaceNamespacedCustomObject({ ...splits, version: 'v1alpha1', name: 'shop', body: split('v1alpha1', true) }));
  assert.equal(failed.body.message, 'TrafficSplit.split.smi-spec.io "shop" is invalid: spec.backends[1].weight: Invalid value: "boolean": spec.backends[1].weight in body must be of type integer,string: "boolean"');
});

void test('an SMI TrafficSplit with a string weight where the version wants a number is refused', async (t) => {
  const { custom } = await withCanaries(t);
  const failed = await statusOf(custom.createNamespacedCustomObject({ ...splits, version: 'v1alpha2', body: split('v1alpha2', '10') }));
  assert.equal(failed.code, 422);
  assert.equal(failed.body.message, 'TrafficSplit.split.smi-spec.io "shop" is invalid: spec.backends[1].weight: Invalid value: "string": spec.backends[1].weight in body must be of type number: "string"');
  assert.equal(failed.body.details.causes[0]?.field, 'spec.backends[1].weight');
});

const gadgets = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'gadgets' };

function gadgetCrd(schema?: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
      versions: [{ name: 'v1', served: true, storage: true, ...(schema === undefined ? {} : { schema: { openAPIV3Schema: schema } }) }],
    },
  };
}

void test('a CRD version without a schema stores its objects as sent', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: gadgetCrd() as never });
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const body = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { anything: [1, 'two', { three: null }] }, extra: 'kept' };
  const created = await custom.createNamespacedCustomObject({ ...gadgets, body });
  assert.deepEqual(created.spec, body.spec);
  assert.equal(created.extra, 'kept');
});

void test('a changed CRD schema applies at once; updates that leave an invalid value alone pass (ratcheting)', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const ext = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const schema = (size: Record<string, unknown>) => ({ type: 'object', properties: { spec: { type: 'object', properties: { size, colour: { type: 'string' } } } } });
  await ext.createCustomResourceDefinition({ body: gadgetCrd(schema({ type: 'integer' })) as never });
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({ ...gadgets, body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 50 } } });
  const crd = await ext.readCustomResourceDefinition({ name: 'gadgets.example.com' });
  await ext.replaceCustomResourceDefinition({ name: 'gadgets.example.com', body: { ...crd, spec: (gadgetCrd(schema({ type: 'integer', maximum: 10 })) as { spec: never }).spec } });
  const recoloured = await custom.patchNamespacedCustomObject({ ...gadgets, name: 'g', body: { spec: { colour: 'red' } } }, merge);
  assert.equal(recoloured.spec.size, 50, 'the old value stays, unchanged');
  const failed = await statusOf(custom.patchNamespacedCustomObject({ ...gadgets, name: 'g', body: { spec: { size: 40 } } }, merge));
  assert.equal(failed.body.message, 'Gadget.example.com "g" is invalid: spec.size: Invalid value: 40: spec.size in body should be less than or equal to 10');
});

void test('kubectl apply of an invalid Canary fails with the server\'s message', { skip: kubectlPath === undefined }, async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  await installCrds(kubeConfig, crdFiles.canary);
  const dir = await mkdtemp(join(tmpdir(), 'fledge-crd-schema-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await emulator.writeKubeconfig(join(dir, 'kubeconfig'));
  const manifest = join(dir, 'canary.yaml');
  await writeFile(manifest, 'apiVersion: fledge.dev/v1alpha1\nkind: Canary\nmetadata: {name: shop}\nspec:\n  targetRef: {name: shop, kind: Job}\n');
  const run = promisify(execFile);
  const kubectl = (...args: string[]) => run(kubectlPath!, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000 });
  await assert.rejects(kubectl('apply', '-f', manifest), (error: { stderr: string }) => {
    assert.match(error.stderr, /The Canary "shop" is invalid: spec\.targetRef\.kind: Unsupported value: "Job": supported values: "Deployment"/);
    return true;
  });
  await writeFile(manifest, 'apiVersion: fledge.dev/v1alpha1\nkind: Canary\nmetadata: {name: shop}\nspec:\n  targetRef: {name: shop}\n');
  const { stdout } = await kubectl('apply', '-f', manifest);
  assert.match(stdout, /canary\.fledge\.dev\/shop created/);
});
