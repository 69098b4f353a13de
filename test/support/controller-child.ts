// A controller process for the crash test: createController against the kubeconfig given (the
// controller's ServiceAccount), with Prometheus replaced by counts derived from the live
// TrafficSplit weights (100 requests/s; the canary fails 20% of requests when its image tag
// contains "bad", 0.1% otherwise), read through --metrics-kubeconfig (default: the same), and
// analysis templates that assume a 1 s scrape interval. Runs until killed.
//   node --import tsx test/support/controller-child.ts --kubeconfig FILE [--metrics-kubeconfig FILE] [--resync 1000] [--concurrency 8]
import { parseArgs } from 'node:util';
import pino from 'pino';
import { AppsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { createController } from '../../src/controller/controller.ts';
import { loadCatalog, type Catalog } from '../../src/config/catalog.ts';
import type { MetricsSource } from '../../src/ports.ts';
import type { Sample } from '../../src/core/types.ts';

const badFailure = 0.2;
const goodFailure = 0.001;

/** The catalog as a cluster scraping every second would configure it. */
export async function fastCatalog(): Promise<Catalog> {
  const catalog = await loadCatalog();
  const analysis = new Map([...catalog.analysis].map(([name, template]) => [name, { ...template, scrapeInterval: '1s' }]));
  return { ...catalog, analysis };
}

/** Counts from the split's weights now; the canary's failure share follows its image tag. */
export function splitMetrics(kc: KubeConfig): MetricsSource {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const counts = (n: number, failure: number): Sample => ({ kind: 'value', counts: { requests: n, events: { failures: Math.round(n * failure), slow: 0 } } });
  return {
    measure: async (request) => {
      const { start, end } = request;
      try {
        const split = (await custom.getNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: request.namespace, name: request.canary })) as { spec: { backends: Array<{ service: string; weight: number }> } };
        const target = await apps.readNamespacedDeployment({ namespace: request.namespace, name: request.canary });
        const image = target.spec?.template.spec?.containers[0]?.image ?? '';
        const weight = Number(split.spec.backends.find((b) => b.service.endsWith('-canary'))?.weight ?? 0);
        const total = Math.round((100 * (end - start)) / 1000);
        const canary = Math.round((total * weight) / 100);
        return { start, end, canary: canary === 0 ? { kind: 'no-data' } : counts(canary, image.includes('bad') ? badFailure : goodFailure), primary: counts(total - canary, goodFailure) };
      } catch (error) {
        const failed: Sample = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
        return { start, end, canary: failed, primary: failed };
      }
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { kubeconfig: { type: 'string' }, 'metrics-kubeconfig': { type: 'string' }, resync: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '8' } },
  });
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig ?? '');
  // The stand-in Prometheus is not the controller: it reads with its own credentials, so its
  // reads neither need nor hide the controller's permissions.
  const metricsKc = new KubeConfig();
  metricsKc.loadFromFile(values['metrics-kubeconfig'] ?? values.kubeconfig ?? '');
  const controller = await createController({
    kubeConfig: kc,
    metrics: splitMetrics(metricsKc),
    catalog: await fastCatalog(),
    resyncMs: Number(values.resync),
    concurrency: Number(values.concurrency),
    log: pino({ level: 'warn' }, pino.destination(2)),
  });
  process.stdout.write('syncing caches\n');
  await controller.start();
  process.stdout.write('controller started\n');
  process.once('SIGTERM', () => void controller.stop().then(() => process.exit(0)));
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await main();
