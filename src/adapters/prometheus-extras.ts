// A template's extra count metrics (`metrics:`) and gauge checks (`checks:`), measured beside
// the three counts over the same window and folded into each side's Counts. Extra counts read
// like failures (an empty answer is 0 events; a metric's own requests query, when empty, 0
// requests); gauges are read on the canary only and an empty answer is null (no data). A
// failed query makes the side an error, as for the counts: the run pauses.
import { renderQuery, windowOf } from '../core/render-query.ts';
import type { Counts, ExtraCounts, IntervalMeasurement, Sample } from '../core/types.ts';
import type { MeasureRequest } from '../ports.ts';
import type { QueryAnswer, QueryClient } from './prometheus-client.ts';

type Reading = { readonly kind: 'value'; readonly value: number | null } | { readonly kind: 'error'; readonly message: string };

function read(answer: QueryAnswer, what: string): Reading {
  if (answer.kind === 'error') return { kind: 'error', message: `${what} query: ${answer.message}` };
  const [first, ...others] = answer.values;
  if (first === undefined) return { kind: 'value', value: null };
  if (others.length > 0) return { kind: 'error', message: `${what} query: returned ${answer.values.length} series; one is expected (aggregate with sum())` };
  return Number.isFinite(first) ? { kind: 'value', value: first } : { kind: 'error', message: `${what} query: returned NaN or an infinite value` };
}

interface Asked {
  readonly client: QueryClient;
  readonly request: MeasureRequest;
  readonly workload: string;
}

async function ask(asked: Asked, query: string, what: string): Promise<Reading> {
  const { request } = asked;
  const vars = { namespace: request.namespace, workload: asked.workload, window: windowOf(request.start, request.end), latencyEdge: request.latencyEdgeMs };
  const rendered = renderQuery(query, vars);
  if (!rendered.ok) return { kind: 'error', message: `${what} query: ${rendered.message}` };
  return read(await asked.client.instant(rendered.query, request.end), what);
}

type Extras = { readonly kind: 'ok'; readonly extra: Record<string, ExtraCounts>; readonly gauges: Record<string, number | null> } | { readonly kind: 'error'; readonly message: string };

async function measureExtras(asked: Asked, withGauges: boolean): Promise<Extras> {
  const template = asked.request.template;
  const metrics = template.metrics ?? [];
  const checks = withGauges ? (template.checks ?? []) : [];
  const [counted, gauged] = await Promise.all([
    Promise.all(metrics.map(async (metric) => {
      const [events, requests] = await Promise.all([
        ask(asked, metric.events, `metric ${metric.name} events`),
        metric.requests === undefined ? Promise.resolve(null) : ask(asked, metric.requests, `metric ${metric.name} requests`),
      ]);
      return { name: metric.name, events, requests };
    })),
    Promise.all(checks.map(async (check) => ({ name: check.name, reading: await ask(asked, check.query, `check ${check.name}`) }))),
  ]);
  const errors = [...counted.flatMap((c) => [c.events, ...(c.requests === null ? [] : [c.requests])]), ...gauged.map((g) => g.reading)]
    .flatMap((r) => (r.kind === 'error' ? [r.message] : []));
  if (errors.length > 0) return { kind: 'error', message: errors[0] ?? '' };
  const valueOf = (reading: Reading | null): number | null => (reading?.kind === 'value' ? reading.value : null);
  const extra = Object.fromEntries(counted.map((c): [string, ExtraCounts] => {
    const events = Math.max(0, valueOf(c.events) ?? 0);
    return [c.name, c.requests === null ? { events } : { events, requests: Math.max(0, valueOf(c.requests) ?? 0) }];
  }));
  return { kind: 'ok', extra, gauges: Object.fromEntries(gauged.map((g) => [g.name, valueOf(g.reading)])) };
}

function merged(sample: Sample, extras: Extras, side: string): Sample {
  if (sample.kind !== 'value') return sample;
  if (extras.kind === 'error') return { kind: 'error', message: `${side} ${extras.message}` };
  const counts: Counts = { ...sample.counts, extra: extras.extra, ...(Object.keys(extras.gauges).length === 0 ? {} : { gauges: extras.gauges }) };
  return { kind: 'value', counts };
}

/** True when the template has extra metrics or checks to measure. */
export function hasExtras(request: MeasureRequest): boolean {
  return (request.template.metrics?.length ?? 0) > 0 || (request.template.checks?.length ?? 0) > 0;
}

/** The measurement with the template's extra metrics (both sides) and gauges (canary) added. */
export async function withExtras(client: QueryClient, request: MeasureRequest, measurement: IntervalMeasurement): Promise<IntervalMeasurement> {
  if (!hasExtras(request)) return measurement;
  const [canary, primary] = await Promise.all([
    measureExtras({ client, request, workload: request.canary }, true),
    measureExtras({ client, request, workload: request.primary }, false),
  ]);
  return {
    ...measurement,
    canary: merged(measurement.canary, canary, `canary ${request.namespace}/${request.canary}`),
    primary: merged(measurement.primary, primary, `primary ${request.namespace}/${request.primary}`),
  };
}
