// The custom-analysis scenario's AnalysisTemplate, created in the app's namespace as a user
// would (`kubectl apply`): the Linkerd proxy's queries the simulated pods answer, read at the
// sandbox Prometheus's scrape interval, plus an extra count metric (5xx answers per request).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Catalog } from '../config/catalog.ts';

/** Creates AnalysisTemplate `name` in `namespace` from the built-in linkerd template. */
export async function createAnalysisTemplate(kubeConfig: KubeConfig, input: { namespace: string; name: string; catalog: Catalog; scrapeMs: number }): Promise<void> {
  const linkerd = input.catalog.analysis.get('linkerd');
  if (linkerd === undefined) throw new Error('the catalog has no linkerd template');
  const { name: _name, batch: _batch, ...queries } = linkerd;
  const selector = 'namespace="{{namespace}}", deployment="{{workload}}", direction="inbound"';
  const spec = {
    ...queries,
    description: 'podinfo through the Linkerd proxy, read every second, with 5xx answers as an extra metric',
    scrapeInterval: `${input.scrapeMs}ms`,
    metrics: [{ name: 'server-errors', events: `sum(increase(response_total{${selector}, status_code=~"5.."}[{{window}}]))` }],
  };
  const body = { apiVersion: 'fledge.dev/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: input.name, namespace: input.namespace }, spec };
  await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'analysistemplates', namespace: input.namespace, body });
}
