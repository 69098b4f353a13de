// Reading AnalysisTemplates and ClusterAnalysisTemplates (fledge.dev/v1alpha1) and writing their
// status over the API. A kind whose CRD is not installed reads as no template (404 → null).
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { canaryGroup, canaryVersion } from '../../ports/canary-schema.ts';
import { parseTemplate, templateLabel, templatePlurals, type TemplateObject, type TemplateRef } from '../../ports/template-schema.ts';
import type { ClusterObjects } from '../../ports/cluster.ts';
import type { ApiCaller } from './errors.ts';

export function templateObjects(kc: KubeConfig, caller: ApiCaller): Pick<ClusterObjects, 'getAnalysisTemplate' | 'updateAnalysisTemplateStatus'> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const gv = { group: canaryGroup, version: canaryVersion };
  const get = async (ref: TemplateRef): Promise<TemplateObject | null> => {
    const plural = templatePlurals[ref.kind];
    const raw: unknown = await caller.read(`get ${templateLabel(ref)}`, () =>
      ref.namespace === null
        ? api.getClusterCustomObject({ ...gv, plural, name: ref.name })
        : api.getNamespacedCustomObject({ ...gv, plural, namespace: ref.namespace, name: ref.name }));
    return raw === null ? null : parseTemplate(raw);
  };
  const updateStatus = async (template: TemplateObject): Promise<TemplateObject> => {
    const plural = templatePlurals[template.kind];
    const name = template.metadata.name ?? '';
    const namespace = template.kind === 'AnalysisTemplate' ? (template.metadata.namespace ?? 'default') : null;
    const body = template as unknown as object;
    const raw: unknown = await caller.call(`update status of ${templateLabel({ kind: template.kind, namespace, name })}`, () =>
      namespace === null
        ? api.replaceClusterCustomObjectStatus({ ...gv, plural, name, body })
        : api.replaceNamespacedCustomObjectStatus({ ...gv, plural, namespace, name, body }));
    return parseTemplate(raw);
  };
  return { getAnalysisTemplate: get, updateAnalysisTemplateStatus: updateStatus };
}
