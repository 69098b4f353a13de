// Batched measurement: canaries measured over the same window with the same analysis template
// (and latency edge) share one query per count. The template's `batch` queries answer for every
// workload at once (`sum by (namespace, deployment) (…)`); the answer is split per canary by the
// labels `batch.by` names, and each side is read by the same rules as a per-canary answer
// (prometheus-counts.ts): a workload missing from the answer is an empty answer (no data for
// requests, 0 failures or slow), a failed query is an error for every canary in the batch.
//
// The answer (a promise, so concurrent callers share one request) is kept per window for
// `ttlMs` so canaries reconciled seconds apart reuse it; a failed one only for `failureTtlMs`.
// Each kept window holds every workload's counts (at 5000 apps, tens of MiB for a dozen windows),
// so it is kept for as long as the canaries due after that window take to be reconciled, not longer.
// At most `maxEntries` windows are kept (the oldest go first). One instance serves one Prometheus.
import type { Logger } from 'pino';
import type { BatchQueries } from '../config/analysis-schema.ts';
import { rangeOf, renderQuery } from '../core/render-query.ts';
import type { IntervalMeasurement, Sample } from '../core/types.ts';
import type { MeasureRequest, MetricsSource } from '../ports.ts';
import type { QueryAnswer, QueryClient, SeriesAnswer } from './prometheus-client.ts';
import { countPurposes, toSample } from './prometheus-counts.ts';

export interface BatchCacheOptions {
  /** How long a window's answer is reused. Default 30 000 ms (a straggler after that asks again). */
  readonly ttlMs?: number;
  /** How long a failed answer is reused (so an outage is not hit by every canary). Default 5 000 ms. */
  readonly failureTtlMs?: number;
  /** Windows kept at most (each holds every workload's counts). Default 16. */
  readonly maxEntries?: number;
  /** Wall clock for the cache, in ms. Default Date.now. */
  readonly now?: () => number;
}

export interface BatchedMetricsOptions extends BatchCacheOptions {
  readonly client: QueryClient;
  /** Measures requests whose template has no `batch` section. */
  readonly perCanary: MetricsSource;
  /** Gets one debug line per batch sent (template, window, workloads answered, ms). */
  readonly logger?: Logger;
}

const batchPurposes = [...countPurposes, 'p99'] as const;
type BatchPurpose = (typeof batchPurposes)[number];

/** One query's answer split by workload ("namespace/workload" → values), or why it cannot be. */
type Split = { readonly kind: 'split'; readonly byWorkload: ReadonlyMap<string, readonly number[]> } | { readonly kind: 'error'; readonly message: string };
type BatchAnswer = Readonly<Record<BatchPurpose, Split>>;

interface Entry {
  readonly answer: Promise<BatchAnswer>;
  expiresAt: number;
}

function workloadKey(namespace: string, workload: string): string {
  return `${namespace}\u0000${workload}`;
}

function queryOf(batch: BatchQueries, purpose: BatchPurpose): string {
  return purpose === 'p99' ? batch.p99 : batch.counts[purpose];
}

function split(answer: SeriesAnswer, by: BatchQueries['by']): Split {
  if (answer.kind === 'error') return answer;
  const byWorkload = new Map<string, number[]>();
  for (const { labels, value } of answer.series) {
    const namespace = labels[by.namespace];
    const workload = labels[by.workload];
    if (namespace === undefined || workload === undefined) {
      return { kind: 'error', message: `batched query returned a series without the labels ${by.namespace} and ${by.workload} (aggregate with sum by (${by.namespace}, ${by.workload}))` };
    }
    const key = workloadKey(namespace, workload);
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), value]);
  }
  return { kind: 'split', byWorkload };
}

async function fetchBatch(client: QueryClient, request: MeasureRequest, batch: BatchQueries): Promise<BatchAnswer> {
  const vars = { namespace: '', workload: '', window: rangeOf(request), latencyEdge: request.latencyEdgeMs };
  const splits = await Promise.all(
    batchPurposes.map(async (purpose): Promise<Split> => {
      const rendered = renderQuery(queryOf(batch, purpose), vars);
      if (!rendered.ok) return { kind: 'error', message: `cannot render analysis template "${request.template.name}": ${rendered.message}` };
      return split(await client.series(rendered.query, request.end), batch.by);
    }),
  );
  return Object.fromEntries(batchPurposes.map((purpose, index) => [purpose, splits[index]])) as unknown as BatchAnswer;
}

function failed(answer: BatchAnswer): boolean {
  return countPurposes.some((purpose) => answer[purpose].kind === 'error');
}

/** What the per-workload query would have answered: the workload's series, or an empty vector. */
function answerFor(split: Split, key: string): QueryAnswer {
  return split.kind === 'error' ? split : { kind: 'vector', values: split.byWorkload.get(key) ?? [] };
}

const noAnswer: QueryAnswer = { kind: 'vector', values: [] };

function sideSample(answer: BatchAnswer, namespace: string, workload: string, label: string): Sample {
  const key = workloadKey(namespace, workload);
  const answers = {
    requests: answerFor(answer.requests, key),
    failures: answerFor(answer.failures, key),
    slow: answerFor(answer.slow, key),
    successRate: noAnswer,
    p99: answerFor(answer.p99, key),
  };
  const sample = toSample(answers, `${label} ${namespace}/${workload}`);
  if (sample.kind !== 'value') return sample;
  // The per-canary successRate query is 100 × (1 − failures ÷ requests): the same from the counts.
  const { counts } = sample;
  return { kind: 'value', counts: { ...counts, successRate: 100 * (1 - counts.events.failures / counts.requests) } };
}

/** A window off the canary's grid is shared with nobody: its own queries are cheaper than a batch. */
function offGrid(request: MeasureRequest): boolean {
  const grid = request.intervalMs;
  return grid !== undefined && (request.start % grid !== 0 || request.end % grid !== 0);
}

function cacheKey(request: MeasureRequest, batch: BatchQueries): string {
  return JSON.stringify([request.template.name, batch, request.start, request.end, request.lookbackMs ?? 0, request.latencyEdgeMs]);
}

/** A MetricsSource that measures batched where the template allows it. `measure` never throws. */
export function createBatchedMetrics(options: BatchedMetricsOptions): MetricsSource {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? 30_000;
  const failureTtlMs = options.failureTtlMs ?? 5_000;
  const maxEntries = Math.max(1, options.maxEntries ?? 16);
  const entries = new Map<string, Entry>();

  function evict(at: number): void {
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
    while (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) return;
      entries.delete(oldest.value);
    }
  }

  function answerOf(request: MeasureRequest, batch: BatchQueries): Promise<BatchAnswer> {
    const key = cacheKey(request, batch);
    const at = now();
    const cached = entries.get(key);
    if (cached !== undefined && cached.expiresAt > at) return cached.answer;
    evict(at);
    const entry: Entry = { answer: fetchBatch(options.client, request, batch), expiresAt: at + ttlMs };
    entries.set(key, entry);
    void entry.answer.then((answer) => {
      if (failed(answer)) entry.expiresAt = Math.min(entry.expiresAt, now() + failureTtlMs);
      const workloads = answer.requests.kind === 'split' ? answer.requests.byWorkload.size : null;
      options.logger?.debug({ template: request.template.name, start: request.start, end: request.end, workloads, ms: now() - at }, 'batched measurement');
    });
    return entry.answer;
  }

  return {
    async measure(request): Promise<IntervalMeasurement> {
      const batch = request.template.batch;
      if (batch === undefined || !(request.end > request.start) || offGrid(request)) return options.perCanary.measure(request);
      const answer = await answerOf(request, batch);
      return {
        start: request.start,
        end: request.end,
        canary: sideSample(answer, request.namespace, request.canary, 'canary'),
        primary: sideSample(answer, request.namespace, request.primary, 'primary'),
      };
    },
  };
}
