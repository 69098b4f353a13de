// The shape of a file in analysis/: PromQL templates for one mesh or metrics stack.
// Placeholders: {{namespace}}, {{workload}}, {{window}} (e.g. "60s"), {{latencyEdge}} (a bucket edge in ms),
// {{latencyEdgeSeconds}} (the same edge in seconds, for histograms kept in seconds). The optional
// `batch` section measures every workload with one query per count (see batchSchema).
import { z } from 'zod';
import { placeholdersIn, renderQuery } from '../core/render-query.ts';
import { extraMetricSchema, extrasProblems, gaugeCheckSchema, prometheusSchema } from './analysis-extras.ts';

const promql = z.string().min(1, 'a PromQL template is required');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name');

/**
 * The same counts for every workload at once: one query per count whose answer has one series
 * per workload, aggregated `sum by (<namespace label>, <workload label>)`, and split per canary
 * by those labels. Placeholders: {{window}}, {{latencyEdge}}, {{latencyEdgeSeconds}} only (no
 * {{namespace}} or {{workload}}: the query is shared). A workload missing from an answer reads
 * as the per-workload query's empty answer (no data for requests, 0 for failures and slow).
 * successRate is derived from the counts; p99 is batched with `by (le, <labels>)`. An answer
 * holds a series per workload with traffic, in every namespace; one above the client's 4 MiB
 * cap (some 30 000 workloads) is an error for every canary: narrow the selector or drop `batch`.
 */
export const batchSchema = z.strictObject({
  /** Which series labels carry the namespace and the workload (Deployment) name. */
  by: z.strictObject({ namespace: labelName, workload: labelName }),
  counts: z.strictObject({
    requests: promql,
    failures: promql,
    slow: promql,
  }),
  p99: promql,
});

export type BatchQueries = z.output<typeof batchSchema>;

/**
 * A template's content: the `spec` of an AnalysisTemplate / ClusterAnalysisTemplate, and an
 * analysis/ file without its `name`. The CRDs' openAPIV3Schema is generated from it.
 */
export const templateSpecSchema = z.strictObject({
  description: z.string().min(1),
  /** Scrape interval of the source metrics; data for an interval is read only 2 × this after it ends. */
  scrapeInterval: z.string().regex(/^\d+(ms|s|m)$/, 'a duration such as 15s'),
  /** Counts over {{window}} ending at the evaluation time; one per side via {{workload}}. */
  counts: z.strictObject({
    requests: promql,
    failures: promql,
    slow: promql,
  }),
  /** Display values for people and for the threshold judge. */
  display: z.strictObject({
    successRate: promql,
    p99: promql,
  }),
  /**
   * Bucket edges (ms) of the latency histogram. When listed, `latency-p99-max` must be one of
   * them: the slow-request query selects the bucket by its edge, and an edge that is not a
   * bucket finds no series (the canary would look like it had no data).
   */
  latencyBucketsMs: z.array(z.number().positive()).min(1).optional(),
  /** Optional: the counts for all workloads at once; without it every canary is measured on its own. */
  batch: batchSchema.optional(),
  /** Extra count metrics judged like failures (the family size M grows with them). */
  metrics: z.array(extraMetricSchema).max(20).optional(),
  /** Gauge guardrails on the canary (CPU, memory, queue depth). */
  checks: z.array(gaugeCheckSchema).max(20).optional(),
  /** The Prometheus to ask; the controller's own when absent. Allowed only by --prometheus-allow. */
  prometheus: prometheusSchema.optional(),
});

export const templateNameSchema = z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes');

/** A file in analysis/: the spec and its name. */
export const analysisTemplateSchema = templateSpecSchema.extend({ name: templateNameSchema });

export type TemplateSpec = z.output<typeof templateSpecSchema>;
export type AnalysisTemplate = z.output<typeof analysisTemplateSchema>;

const required: Readonly<Record<string, readonly string[]>> = {
  'counts.requests': ['namespace', 'workload', 'window'],
  'counts.failures': ['namespace', 'workload', 'window'],
  'counts.slow': ['namespace', 'workload', 'window', 'latencyEdge|latencyEdgeSeconds'],
  'display.successRate': ['namespace', 'workload', 'window'],
  'display.p99': ['namespace', 'workload', 'window'],
};

const batchRequired: Readonly<Record<string, readonly string[]>> = {
  'batch.counts.requests': ['window'],
  'batch.counts.failures': ['window'],
  'batch.counts.slow': ['window', 'latencyEdge|latencyEdgeSeconds'],
  'batch.p99': ['window'],
};

/** Placeholders a batched query must not use: it is shared by every workload. */
const perWorkload = ['namespace', 'workload'];

const sample = { namespace: 'ns', workload: 'app', window: '60s', latencyEdge: 500 };

function problemsOf(queries: Record<string, string>, needs: Readonly<Record<string, readonly string[]>>, forbidden: readonly string[]): string[] {
  return Object.entries(queries).flatMap(([field, query]) => {
    const rendered = renderQuery(query, sample);
    const used = new Set(placeholdersIn(query));
    const missing = (needs[field] ?? []).filter((need) => !need.split('|').some((name) => used.has(name)));
    return [
      ...(rendered.ok ? [] : [`${field}: ${rendered.message}`]),
      ...missing.map((need) => `${field}: missing placeholder ${need.split('|').map((p) => `{{${p}}}`).join(' or ')}`),
      ...forbidden.filter((name) => used.has(name)).map((name) => `${field}: {{${name}}} is not allowed in a batched query (it measures every workload at once)`),
    ];
  });
}

function batchQueries(batch: BatchQueries | undefined): Record<string, string> {
  if (batch === undefined) return {};
  return {
    'batch.counts.requests': batch.counts.requests,
    'batch.counts.failures': batch.counts.failures,
    'batch.counts.slow': batch.counts.slow,
    'batch.p99': batch.p99,
  };
}

/**
 * What a schema-valid template still gets wrong: a query missing a placeholder it needs (it
 * would measure the wrong workload or window), one the renderer refuses (an unknown or
 * malformed placeholder), or a batched query naming one workload. Each problem reads
 * `field: problem`; empty means usable.
 */
export function templateProblems(template: TemplateSpec): string[] {
  const queries: Record<string, string> = {
    'counts.requests': template.counts.requests,
    'counts.failures': template.counts.failures,
    'counts.slow': template.counts.slow,
    'display.successRate': template.display.successRate,
    'display.p99': template.display.p99,
  };
  return [
    ...problemsOf(queries, required, []),
    ...problemsOf(batchQueries(template.batch), batchRequired, perWorkload),
    ...extrasProblems(template),
  ];
}
