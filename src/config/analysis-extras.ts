// The optional parts of an analysis template beyond the three counts: extra count metrics judged
// like failures (`metrics`), gauge guardrails on the canary (`checks`), and the Prometheus the
// template's queries go to (`prometheus`). Schemas and the problems zod cannot see.
import { z } from 'zod';
import { placeholdersIn, renderQuery } from '../core/render-query.ts';

const promql = z.string().min(1, 'a PromQL template is required');
const metricName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, starting with a letter, at most 40');

/** Names the built-in judged metrics use: an extra metric may not take them. */
export const builtinMetricNames: readonly string[] = ['errors', 'latency'];

/**
 * An extra count metric: `events` over {{window}} per workload, judged canary against primary by
 * the same sequential harm test as failures; `requests` defaults to the template's requests query.
 */
export const extraMetricSchema = z.strictObject({
  name: metricName,
  events: promql,
  requests: promql.optional(),
});

/**
 * A gauge guardrail on the canary: `query` (one value per workload) must stay at or below `max`
 * (or at or above `min`); broken `for` intervals in a row rolls back, no data pauses.
 */
export const gaugeCheckSchema = z
  .strictObject({
    name: metricName,
    query: promql,
    max: z.number().optional(),
    min: z.number().optional(),
    for: z.number().int().min(1).max(100).default(1),
  })
  .refine((check) => (check.max === undefined) !== (check.min === undefined), { message: 'give exactly one of max or min' });

const secretKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret data key');

/**
 * Credentials for the template's Prometheus, from a Secret: a namespaced template's Secret lives
 * in its own namespace, a cluster template's in the controller's.
 */
export const secretRefSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Secret name'),
    tokenKey: secretKey.optional(),
    usernameKey: secretKey.optional(),
    passwordKey: secretKey.optional(),
  })
  .refine((ref) => {
    const basic = ref.usernameKey !== undefined && ref.passwordKey !== undefined;
    const partial = (ref.usernameKey === undefined) !== (ref.passwordKey === undefined);
    return !partial && (ref.tokenKey !== undefined) !== basic;
  }, { message: 'give tokenKey, or usernameKey and passwordKey' });

/** The Prometheus a template's queries go to; the controller's own when absent. */
export const prometheusSchema = z.strictObject({
  address: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://prometheus.team:9090' }),
  secretRef: secretRefSchema.optional(),
  timeout: z.string().regex(/^\d+(ms|s)$/, 'a duration such as 10s').optional(),
});

export type ExtraMetric = z.output<typeof extraMetricSchema>;
export type GaugeCheck = z.output<typeof gaugeCheckSchema>;
export type PrometheusRef = z.output<typeof prometheusSchema>;
export type SecretRef = z.output<typeof secretRefSchema>;

const sample = { namespace: 'ns', workload: 'app', window: '60s', latencyEdge: 500 };

function queryProblems(field: string, query: string, needs: readonly string[]): string[] {
  const rendered = renderQuery(query, sample);
  const used = new Set(placeholdersIn(query));
  return [
    ...(rendered.ok ? [] : [`${field}: ${rendered.message}`]),
    ...needs.filter((need) => !used.has(need)).map((need) => `${field}: missing placeholder {{${need}}}`),
  ];
}

function duplicates(names: readonly string[]): string[] {
  return [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
}

/** Problems of the extra metrics and checks: placeholders, reserved and repeated names. */
export function extrasProblems(template: { metrics?: readonly ExtraMetric[] | undefined; checks?: readonly GaugeCheck[] | undefined }): string[] {
  const metrics = template.metrics ?? [];
  const checks = template.checks ?? [];
  const needs = ['namespace', 'workload', 'window'];
  return [
    ...metrics.flatMap((m, i) => [
      ...queryProblems(`metrics[${i}].events`, m.events, needs),
      ...(m.requests === undefined ? [] : queryProblems(`metrics[${i}].requests`, m.requests, needs)),
      ...(builtinMetricNames.includes(m.name) ? [`metrics[${i}].name: "${m.name}" is a built-in metric's name`] : []),
    ]),
    ...checks.flatMap((c, i) => queryProblems(`checks[${i}].query`, c.query, ['namespace', 'workload'])),
    ...duplicates([...metrics.map((m) => m.name), ...checks.map((c) => c.name)]).map((name) => `metrics/checks: the name "${name}" is used twice`),
  ];
}
