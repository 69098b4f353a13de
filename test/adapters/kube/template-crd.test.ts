// The AnalysisTemplate and ClusterAnalysisTemplate CRDs: generated from the analysis zod
// schema and committed in sync; served by the emulator, which refuses what the schema refuses;
// read and status-written over the API with the controller's own RBAC; and the built-in
// templates committed as ClusterAnalysisTemplates in sync with analysis/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { buildTemplateCrd, renderTemplateCrd } from '../../../src/adapters/kube/template-crd.ts';
import { createClusterObjects } from '../../../src/adapters/kube/cluster.ts';
import { loadCatalog } from '../../../src/config/catalog.ts';
import { renderBuiltinTemplates } from '../../../src/config/builtin-manifests.ts';
import { reconcileTemplate } from '../../../src/controller/template-status.ts';
import type { ReconcileDeps } from '../../../src/controller/context.ts';
import pino from 'pino';
import { crdFiles, installCrds } from '../../fixtures/crds/install.ts';
import { withEmulator } from '../../support/emulator.ts';
import { controllerKubeConfig } from '../../support/rbac.ts';
import { kubectlPath } from '../../deploy/support.ts';

type Node = Record<string, unknown>;

function specSchema(kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate'): Node {
  const crd = buildTemplateCrd(kind) as { spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: Node } } } }[] } };
  return crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec;
}

const gv = { group: 'fledge.dev', version: 'v1alpha1' };

void describe('the analysis template CRDs', () => {
  void it('committed at deploy/crds/ are what scripts/gen-crd.ts generates from the analysis schema', () => {
    assert.equal(readFileSync(crdFiles.analysisTemplates, 'utf8'), renderTemplateCrd('AnalysisTemplate'), 'run: npx tsx scripts/gen-crd.ts');
    assert.equal(readFileSync(crdFiles.clusterAnalysisTemplates, 'utf8'), renderTemplateCrd('ClusterAnalysisTemplate'), 'run: npx tsx scripts/gen-crd.ts');
  });

  void it('carry every field of an analysis file (and the new ones) and keep unknown keys for the controller to refuse by name', () => {
    const spec = specSchema('AnalysisTemplate');
    assert.deepEqual(Object.keys(spec['properties'] as Node).sort(), ['batch', 'checks', 'counts', 'description', 'display', 'latencyBucketsMs', 'metrics', 'prometheus', 'scrapeInterval']);
    assert.equal(spec['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal((buildTemplateCrd('ClusterAnalysisTemplate') as { spec: { scope: string } }).spec.scope, 'Cluster');
    assert.equal((buildTemplateCrd('AnalysisTemplate') as { spec: { scope: string } }).spec.scope, 'Namespaced');
  });

  void it('deploy/templates/builtin.yaml is analysis/*.yaml as ClusterAnalysisTemplates (scripts/gen-templates.ts)', async () => {
    const committed = readFileSync(new URL('../../../deploy/templates/builtin.yaml', import.meta.url), 'utf8');
    assert.equal(committed, renderBuiltinTemplates(await loadCatalog()), 'run: npx tsx scripts/gen-templates.ts');
  });

  void it('are served by the emulator, which refuses a spec of the wrong type; the controller reads templates and writes their status with deploy/\'s RBAC', { skip: kubectlPath === undefined ? 'kubectl is needed to render deploy/' : false }, async (t) => {
    const { emulator, kubeConfig: admin } = await withEmulator(t);
    await installCrds(admin, crdFiles.analysisTemplates, crdFiles.clusterAnalysisTemplates);
    const api = admin.makeApiClient(CustomObjectsApi);
    const body = (spec: unknown): object => ({ apiVersion: 'fledge.dev/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'spring' }, spec });
    await assert.rejects(
      api.createNamespacedCustomObject({ ...gv, plural: 'analysistemplates', namespace: 'default', body: body({ description: 'x', scrapeInterval: 5, counts: {}, display: {} }) }),
      (error: { code?: number }) => error.code === 422,
    );
    await assert.rejects(
      api.createNamespacedCustomObject({ ...gv, plural: 'analysistemplates', namespace: 'default', body: body({ description: 'x', scrapeInterval: '5m0s', counts: {}, display: {} }) }),
      (error: { code?: number }) => error.code === 422,
    );
    const catalog = await loadCatalog();
    const { name: _name, ...linkerd } = catalog.analysis.get('linkerd')!;
    await api.createNamespacedCustomObject({ ...gv, plural: 'analysistemplates', namespace: 'default', body: body({ ...linkerd, counts: { ...linkerd.counts, requests: 'sum(increase(response_total[{{window}}]))' }, extra: true }) });
    await api.createClusterCustomObject({ ...gv, plural: 'clusteranalysistemplates', body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'ClusterAnalysisTemplate', metadata: { name: 'linkerd' }, spec: linkerd } });
    const controller = createClusterObjects(await controllerKubeConfig(emulator, admin), { clock: { now: () => Date.now() } });
    const deps = { cluster: controller, clock: { now: () => Date.now() }, log: pino({ level: 'silent' }) } as unknown as ReconcileDeps;
    await reconcileTemplate(deps, { kind: 'AnalysisTemplate', namespace: 'default', name: 'spring' });
    await reconcileTemplate(deps, { kind: 'ClusterAnalysisTemplate', namespace: null, name: 'linkerd' });
    const bad = (await api.getNamespacedCustomObject({ ...gv, plural: 'analysistemplates', namespace: 'default', name: 'spring' })) as { status: { conditions: Array<{ type: string; status: string; message: string }> } };
    const ready = bad.status.conditions.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.match(ready?.message ?? '', /spec: Unrecognized key: "extra"/, 'the unknown key reached the controller (not pruned) and is named');
    const good = (await api.getClusterCustomObject({ ...gv, plural: 'clusteranalysistemplates', name: 'linkerd' })) as { status: { conditions: Array<{ type: string; status: string }> } };
    assert.equal(good.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(await controller.getAnalysisTemplate({ kind: 'AnalysisTemplate', namespace: 'default', name: 'absent' }), null);
  });
});
