// The shape of a file in analysis/: PromQL templates for one mesh or metrics stack.
// Placeholders: {{namespace}}, {{workload}}, {{window}} (e.g. "60s"), {{latencyEdge}} (a bucket edge in ms).
import { z } from 'zod';

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
});

export type AnalysisTemplate = z.output<typeof analysisTemplateSchema>;
