// The custom-analysis scenario's AnalysisTemplate, created in the app's namespace as a user
// would (`kubectl apply`): the Linkerd proxy's queries the simulated pods answer, read at the
// sandbox Prometheus's scrape interval, plus an extra count metric (5xx answers per request).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { analysisTemplateSchema, type AnalysisTemplate } from '../config/analysis-schema.ts';
import type { Catalog } from '../config/catalog.ts';

/** The template the scenario creates, as the controller will read it. */
export function customTemplate(catalog: Catalog, input: { name: string; scrapeMs: number }): AnalysisTemplate {
  const linkerd = catalog.analysis.get('linkerd');
  if (linkerd === undefined) throw new Error('the catalog has no linkerd template');
  const { name: _name, batch: _batch, ...queries } = linkerd;
  const selector = 'namespace="{{namespace}}", deployment="{{workload}}", direction="inbound"';
  return analysisTemplateSchema.parse({
    ...queries,
    name: input.name,
    description: 'podinfo through the Linkerd proxy, read every second, with 5xx answers as an extra metric',
    scrapeInterval: `${input.scrapeMs}ms`,
    metrics: [{ name: 'server-errors', events: `sum(increase(response_total{${selector}, status_code=~"5.."}[{{window}}]))` }],
  });
}

/** Creates AnalysisTemplate `name` in `namespace` (see customTemplate). */
export async function createAnalysisTemplate(kubeConfig: KubeConfig, input: { namespace: string; name: string; catalog: Catalog; scrapeMs: number }): Promise<void> {
  const { name, ...spec } = customTemplate(input.catalog, input);
  const body = { apiVersion: 'fledge.dev/v1alpha1', kind: 'AnalysisTemplate', metadata: { name, namespace: input.namespace }, spec };
  await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'analysistemplates', namespace: input.namespace, body });
}
