// An analysis template written against the Linkerd proxy's metrics (response_total,
// response_latency_ms; /work/shared/reference/README.md), independent of analysis/linkerd.yaml
// so that the adapter's tests do not move when operators tune that file.
import type { AnalysisTemplate } from '../../src/config/analysis-schema.ts';

const selector = 'namespace="{{namespace}}", deployment="{{workload}}", direction="inbound"';

export const linkerdTemplate: AnalysisTemplate = {
  name: 'linkerd-test',
  description: 'Linkerd proxy metrics, inbound, per deployment (test copy).',
  scrapeInterval: '10s',
  counts: {
    requests: `sum(increase(response_total{${selector}}[{{window}}]))`,
    failures: `sum(increase(response_total{${selector}, classification="failure"}[{{window}}]))`,
    slow: `sum(increase(response_latency_ms_count{${selector}}[{{window}}])) - sum(increase(response_latency_ms_bucket{${selector}, le="{{latencyEdge}}"}[{{window}}]))`,
  },
  display: {
    successRate: `sum(rate(response_total{${selector}, classification!="failure"}[{{window}}])) / sum(rate(response_total{${selector}}[{{window}}])) * 100`,
    p99: `histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{${selector}}[{{window}}])) by (le))`,
  },
};

const inbound = 'direction="inbound"';

/** The test template with a batched form: every deployment at once, split by namespace and deployment. */
export const linkerdBatchTemplate: AnalysisTemplate = {
  ...linkerdTemplate,
  name: 'linkerd-batch-test',
  batch: {
    by: { namespace: 'namespace', workload: 'deployment' },
    counts: {
      requests: `sum by (namespace, deployment) (increase(response_total{${inbound}}[{{window}}]))`,
      failures: `sum by (namespace, deployment) (increase(response_total{${inbound}, classification="failure"}[{{window}}]))`,
      slow: `sum by (namespace, deployment) (increase(response_latency_ms_count{${inbound}}[{{window}}])) - sum by (namespace, deployment) (increase(response_latency_ms_bucket{${inbound}, le="{{latencyEdge}}"}[{{window}}]))`,
    },
    p99: `histogram_quantile(0.99, sum by (le, namespace, deployment) (increase(response_latency_ms_bucket{${inbound}}[{{window}}])))`,
  },
};
