import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiextensionsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig} from '@kubernetes/client-node';
import { adminHeaders, withEmulator } from '../../support/emulator.ts';
import { referenceCrds, statusOf } from './fixtures.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function installLinkerdTrafficSplit(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const body of referenceCrds('trafficsplit-linkerd-smi-v1alpha1-v1alpha2.yaml')) {
    await ext.createCustomResourceDefinition({ body });
  }
}

const split = (version: string, weight: number | string) => ({
  apiVersion: `split.smi-spec.io/${version}`,
  kind: 'TrafficSplit',
  metadata: { name: 'web' },
  spec: { service: 'web', backends: [{ service: 'web-primary', weight: 100 }, { service: 'web-canary', weight }] },
});

void test('installing the TrafficSplit CRD serves its group, and a v1alpha2 TrafficSplit can be created', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  const before = await (await fetch(`${emulator.url}/apis`, { headers: adminHeaders })).json() as { groups: { name: string }[] };
  assert.ok(!before.groups.some((g) => g.name === 'split.smi-spec.io'));
  await installLinkerdTrafficSplit(kubeConfig);
  const group = await (await fetch(`${emulator.url}/apis/split.smi-spec.io`, { headers: adminHeaders })).json() as { preferredVersion: { version: string }; versions: { version: string }[] };
  assert.deepEqual(group.versions.map((v) => v.version), ['v1alpha2', 'v1alpha1']);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const created = await custom.createNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', namespace: 'default', plural: 'trafficsplits', body: split('v1alpha2', 0) });
  assert.equal(created.apiVersion, 'split.smi-spec.io/v1alpha2');
  assert.equal(created.metadata.generation, 1);
});

void test('a custom resource reads back at every served version, relabelled', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await installLinkerdTrafficSplit(kubeConfig);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha1', namespace: 'default', plural: 'trafficsplits', body: split('v1alpha1', '500m') });
  const asV2 = await custom.getNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', namespace: 'default', plural: 'trafficsplits', name: 'web' });
  assert.equal(asV2.apiVersion, 'split.smi-spec.io/v1alpha2');
  assert.equal(asV2.spec.backends[1].weight, '500m');
});

void test('a version that is not served answers 404', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const ext = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const body of referenceCrds('trafficsplit-smi-sdk-v1alpha2-v1alpha4.yaml')) await ext.createCustomResourceDefinition({ body });
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const missing = await statusOf(custom.listNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', namespace: 'default', plural: 'trafficsplits' }));
  assert.equal(missing.code, 404);
  const served = await custom.listNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha4', namespace: 'default', plural: 'trafficsplits' });
  assert.deepEqual(served.items, []);
});

void test('a custom resource with the wrong kind for its path answers 422', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await installLinkerdTrafficSplit(kubeConfig);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const failed = await statusOf(custom.createNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', namespace: 'default', plural: 'trafficsplits', body: { ...split('v1alpha2', 0), kind: 'Other' } }));
  assert.equal(failed.code, 422);
  assert.match(failed.body.message, /^TrafficSplit.split.smi-spec.io "web" is invalid: kind: Invalid value/);
});

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      // client-node's serializer sends only its models' field names, so not 'x-kubernetes-…' keys.
      schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
      additionalPrinterColumns: [
        { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    }],
  },
};

const widgets = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' };

void test('a CRD with a status subresource: generation moves on spec, not on labels or status, and each endpoint keeps to its part', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: widgetCrd });
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const created = await custom.createNamespacedCustomObject({ ...widgets, body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 }, status: { phase: 'ignored' } } });
  assert.equal(created.status, undefined);
  const labelled = await custom.patchNamespacedCustomObject({ ...widgets, name: 'w', body: { metadata: { labels: { a: 'b' } }, status: { phase: 'x' } } }, merge);
  assert.equal(labelled.metadata.generation, 1);
  assert.equal(labelled.status, undefined);
  const withStatus = await custom.patchNamespacedCustomObjectStatus({ ...widgets, name: 'w', body: { spec: { size: 99 }, status: { phase: 'Ready' } } }, merge);
  assert.equal(withStatus.status.phase, 'Ready');
  assert.equal(withStatus.spec.size, 1);
  assert.equal(withStatus.metadata.generation, 1);
  const resized = await custom.patchNamespacedCustomObject({ ...widgets, name: 'w', body: { spec: { size: 2 } } }, merge);
  assert.equal(resized.metadata.generation, 2);
  assert.equal(resized.status.phase, 'Ready');
});

void test('without a status subresource, any change but metadata moves a custom resource generation', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const crd = structuredClone(widgetCrd);
  delete (crd.spec.versions[0] as { subresources?: unknown }).subresources;
  await kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const created = await custom.createNamespacedCustomObject({ ...widgets, body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 }, status: { phase: 'kept' } } });
  assert.equal(created.status.phase, 'kept');
  const labelled = await custom.patchNamespacedCustomObject({ ...widgets, name: 'w', body: { metadata: { labels: { a: 'b' } } } }, merge);
  assert.equal(labelled.metadata.generation, 1);
  const restatused = await custom.patchNamespacedCustomObject({ ...widgets, name: 'w', body: { status: { phase: 'changed' } } }, merge);
  assert.equal(restatused.metadata.generation, 2);
});

void test('kubectl-style Table requests get the printer columns of the CRD', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  await kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: widgetCrd });
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({ ...widgets, body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } } });
  await custom.patchNamespacedCustomObjectStatus({ ...widgets, name: 'w', body: { status: { conditions: [{ type: 'Other', status: 'False' }, { type: 'Ready', status: 'True' }] } } }, merge);
  const response = await fetch(`${emulator.url}/apis/example.com/v1/namespaces/default/widgets`, {
    headers: { ...adminHeaders, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
  });
  const table = await response.json() as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
  assert.equal(table.kind, 'Table');
  assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Size', 'Ready', 'Age']);
  assert.deepEqual(table.rows[0]!.cells.slice(0, 3), ['w', 3, 'True']);
  assert.match(String(table.rows[0]!.cells[3]), /^\d+s$/);
});

void test('deleting a CRD stops serving its group and removes its objects', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  const ext = kubeConfig.makeApiClient(ApiextensionsV1Api);
  await ext.createCustomResourceDefinition({ body: widgetCrd });
  const established = await ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
  assert.ok(established.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({ ...widgets, body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} } });
  await ext.deleteCustomResourceDefinition({ name: 'widgets.example.com' });
  assert.equal((await fetch(`${emulator.url}/apis/example.com/v1/namespaces/default/widgets`, { headers: adminHeaders })).status, 404);
  await ext.createCustomResourceDefinition({ body: widgetCrd });
  const list = await custom.listNamespacedCustomObject(widgets);
  assert.deepEqual(list.items, []);
});

void test('a cluster-scoped CRD serves objects without a namespace', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const crd = structuredClone(widgetCrd);
  crd.spec.scope = 'Cluster';
  await kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const created = await custom.createClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'global' } } });
  assert.equal(created.metadata.namespace, undefined);
  const read = await custom.getClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', name: 'global' });
  assert.equal(read.metadata.name, 'global');
});
