// The shape of a file in analysis/: PromQL templates for one mesh or metrics stack.
// Placeholders: {{namespace}}, {{workload}}, {{window}} (e.g. "60s"), {{latencyEdge}} (a bucket edge in ms),
// {{latencyEdgeSeconds}} (the same edge in seconds, for histograms kept in seconds).
import { z } from 'zod';
import { placeholdersIn, renderQuery } from '../core/render-query.ts';

const promql = z.string().min(1, 'a PromQL template is required');

export const analysisTemplateSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes'),
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
});

export type AnalysisTemplate = z.output<typeof analysisTemplateSchema>;

const required: Readonly<Record<string, readonly string[]>> = {
  'counts.requests': ['namespace', 'workload', 'window'],
  'counts.failures': ['namespace', 'workload', 'window'],
  'counts.slow': ['namespace', 'workload', 'window', 'latencyEdge|latencyEdgeSeconds'],
  'display.successRate': ['namespace', 'workload', 'window'],
  'display.p99': ['namespace', 'workload', 'window'],
};

const sample = { namespace: 'ns', workload: 'app', window: '60s', latencyEdge: 500 };

/**
 * What a schema-valid template still gets wrong: a query missing a placeholder it needs (it
 * would measure the wrong workload or window), or one the renderer refuses (an unknown or
 * malformed placeholder). Each problem reads `field: problem`; empty means usable.
 */
export function templateProblems(template: AnalysisTemplate): string[] {
  const queries: Record<string, string> = {
    'counts.requests': template.counts.requests,
    'counts.failures': template.counts.failures,
    'counts.slow': template.counts.slow,
    'display.successRate': template.display.successRate,
    'display.p99': template.display.p99,
  };
  return Object.entries(queries).flatMap(([field, query]) => {
    const rendered = renderQuery(query, sample);
    const used = new Set(placeholdersIn(query));
    const missing = (required[field] ?? []).filter((need) => !need.split('|').some((name) => used.has(name)));
    return [
      ...(rendered.ok ? [] : [`${field}: ${rendered.message}`]),
      ...missing.map((need) => `${field}: missing placeholder ${need.split('|').map((p) => `{{${p}}}`).join(' or ')}`),
    ];
  });
}
