// The controller's watches on analysis templates, end to end over the emulator with deploy/'s
// RBAC: a broken template gets Ready=False from the running controller, the app naming it is
// held with ConfigValid=False, and fixing the template releases it without waiting for a resync.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { createController } from '../../src/controller/controller.ts';
import { loadCatalog } from '../../src/config/catalog.ts';
import { templateWatches } from '../../src/controller/template-watches.ts';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { controllerKubeConfig } from '../support/rbac.ts';
import { until } from '../support/until.ts';

const gv = { group: 'fledge.dev', version: 'v1alpha1' };

function deployment(name: string, namespace: string, analysis: string): Record<string, any> {
  return { metadata: { name, namespace, annotations: { 'fledge.dev/canary': 'true', 'fledge.dev/analysis': analysis } } };
}

describe('template watches', () => {
  it('queue a template\'s own status check on every event, and the apps naming it only when its spec changed', () => {
    const apps = [deployment('web', 'shop', 'spring'), deployment('api', 'shop', 'linkerd'), deployment('cart', 'other', 'spring'), deployment('plain', 'shop', 'spring')];
    delete apps[3]!['metadata'].annotations['fledge.dev/canary'];
    const [namespaced, cluster] = templateWatches(true, () => apps);
    const template = (generation: number, namespace?: string) => ({ metadata: { name: 'spring', ...(namespace === undefined ? {} : { namespace }), generation } });
    assert.deepEqual(namespaced!.keysOf(template(1, 'shop'), 'add'), ['template:AnalysisTemplate/shop/spring', 'shop/web']);
    assert.deepEqual(namespaced!.keysOf(template(1, 'shop'), 'update'), ['template:AnalysisTemplate/shop/spring'], 'a status write queues no app');
    assert.deepEqual(namespaced!.keysOf(template(2, 'shop'), 'update'), ['template:AnalysisTemplate/shop/spring', 'shop/web']);
    assert.deepEqual(cluster!.keysOf(template(1), 'add'), ['template:ClusterAnalysisTemplate//spring', 'shop/web', 'other/cart']);
    assert.equal(templateWatches(false, () => apps).length, 1, 'confined to one namespace: no cluster template watch');
  });

  it('over the emulator: a broken template is marked Ready=False and holds its app; fixing it releases the app at once', async (t) => {
    const { emulator, kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0 });
    await applyFiles(kc, crdFiles);
    const catalog = await loadCatalog();
    const controller = await createController({
      kubeConfig: await controllerKubeConfig(emulator, kc),
      metrics: { measure: () => Promise.reject(new Error('no analysis in this test')) },
      catalog,
      // No resync during the test: only the watches can wake the app.
      resyncMs: 600_000,
      log: pino({ level: 'silent' }),
    });
    await controller.start();
    t.after(() => controller.stop());
    const custom = kc.makeApiClient(CustomObjectsApi);
    const { name: _name, ...linkerd } = catalog.analysis.get('linkerd')!;
    const broken = { ...linkerd, counts: { ...linkerd.counts, failures: 'sum(increase(response_total{classification="failure"}[{{window}}]))' } };
    await custom.createNamespacedCustomObject({ ...gv, plural: 'analysistemplates', namespace: 'default', body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'mesh' }, spec: broken } });
    const labels = { app: 'web' };
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web', annotations: { 'fledge.dev/canary': 'true', 'fledge.dev/analysis': 'mesh' } },
        spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
      },
    });
    const condition = async (read: () => Promise<unknown>, type: string): Promise<{ status?: string; message?: string } | undefined> => {
      const object = (await read().catch(() => ({}))) as { status?: { conditions?: Array<{ type: string; status: string; message: string }> } };
      return object.status?.conditions?.find((c) => c.type === type);
    };
    const template = () => custom.getNamespacedCustomObject({ ...gv, plural: 'analysistemplates', namespace: 'default', name: 'mesh' });
    const canary = () => custom.getNamespacedCustomObject({ ...gv, plural: 'canaries', namespace: 'default', name: 'web' });
    await until('the template marked Ready=False', () => condition(template, 'Ready'), (c) => c?.status === 'False', 20);
    assert.match((await condition(template, 'Ready'))?.message ?? '', /counts\.failures: missing placeholder \{\{namespace\}\}/);
    await until('the Canary held', () => condition(canary, 'ConfigValid'), (c) => c?.status === 'False', 20);
    assert.match((await condition(canary, 'ConfigValid'))?.message ?? '', /AnalysisTemplate default\/mesh \(generation 1\) is invalid/);
    await custom.patchNamespacedCustomObject(
      { ...gv, plural: 'analysistemplates', namespace: 'default', name: 'mesh', body: [{ op: 'replace', path: '/spec/counts/failures', value: linkerd.counts.failures }] },
    );
    await until('the Canary released by the template\'s fix', () => condition(canary, 'ConfigValid'), (c) => c?.status === 'True', 20);
    await until('the template marked Ready=True', () => condition(template, 'Ready'), (c) => c?.status === 'True', 20);
  });
});
