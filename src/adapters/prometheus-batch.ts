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
  /** Windows kept at most (each holds every workload's counts). Default 8. */
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

/** A workload's series in each query's answer (most workloads have one per query). */
type WorkloadValues = Partial<Record<BatchPurpose, number[]>>;

/**
 * The four answers split by workload ("namespace\0workload" → its values in each), one entry per
 * workload for all four (at thousands of apps, a window kept is every workload's counts), and why
 * a query could not be split.
 */
interface BatchAnswer {
  readonly byWorkload: ReadonlyMap<string, WorkloadValues>;
  readonly errors: Readonly<Partial<Record<BatchPurpose, string>>>;
}

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

/** Adds `answer`'s series to `byWorkload` under `purpose`; the message when it cannot be split. */
function split(answer: SeriesAnswer, purpose: BatchPurpose, by: BatchQueries['by'], byWorkload: Map<string, WorkloadValues>): string | null {
  if (answer.kind === 'error') return answer.message;
  for (const { labels } of answer.series) {
    if (labels[by.namespace] === undefined || labels[by.workload] === undefined) {
      return `batched query returned a series without the labels ${by.namespace} and ${by.workload} (aggregate with sum by (${by.namespace}, ${by.workload}))`;
    }
  }
  for (const { labels, value } of answer.series) {
    const key = workloadKey(labels[by.namespace] as string, labels[by.workload] as string);
    let values = byWorkload.get(key);
    if (values === undefined) byWorkload.set(key, (values = {}));
    (values[purpose] ??= []).push(value);
  }
  return null;
}

async function fetchBatch(client: QueryClient, request: MeasureRequest, batch: BatchQueries): Promise<BatchAnswer> {
  const vars = { namespace: '', workload: '', window: rangeOf(request), latencyEdge: request.latencyEdgeMs };
  const answers = await Promise.all(
    batchPurposes.map(async (purpose): Promise<SeriesAnswer> => {
      const rendered = renderQuery(queryOf(batch, purpose), vars);
      if (!rendered.ok) return { kind: 'error', message: `cannot render analysis template "${request.template.name}": ${rendered.message}` };
      return client.series(rendered.query, request.end);
    }),
  );
  const byWorkload = new Map<string, WorkloadValues>();
  const errors: Partial<Record<BatchPurpose, string>> = {};
  batchPurposes.forEach((purpose, index) => {
    const message = split(answers[index] as SeriesAnswer, purpose, batch.by, byWorkload);
    if (message !== null) errors[purpose] = message;
  });
  return { byWorkload, errors };
}

function failed(answer: BatchAnswer): boolean {
  return countPurposes.some((purpose) => answer.errors[purpose] !== undefined);
}

const none: readonly number[] = [];

/** What the per-workload query would have answered: the workload's series, or an empty vector. */
function answerFor(answer: BatchAnswer, purpose: BatchPurpose, key: string): QueryAnswer {
  const message = answer.errors[purpose];
  return message !== undefined ? { kind: 'error', message } : { kind: 'vector', values: answer.byWorkload.get(key)?.[purpose] ?? none };
}

const noAnswer: QueryAnswer = { kind: 'vector', values: [] };

function sideSample(answer: BatchAnswer, namespace: string, workload: string, label: string): Sample {
  const key = workloadKey(namespace, workload);
  const answers = {
    requests: answerFor(answer, 'requests', key),
    failures: answerFor(answer, 'failures', key),
    slow: answerFor(answer, 'slow', key),
    successRate: noAnswer,
    p99: answerFor(answer, 'p99', key),
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
  const maxEntries = Math.max(1, options.maxEntries ?? 8);
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
      const workloads = answer.byWorkload.size;
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
