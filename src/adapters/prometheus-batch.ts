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
import type { QueryAnswer, QueryClient, Series, SeriesAnswer } from './prometheus-client.ts';
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

/**
 * Which row of a window's table holds a workload ("namespace\0workload" → row), shared by every
 * kept window: the same workloads answer window after window, so each window holds only its values,
 * not its own copy of thousands of keys (at 5000 apps, eight kept windows' own keys were 6 MiB).
 * Rows are only added; a window made before a workload's row existed has no value for it (its
 * table is shorter). When most rows name workloads no kept window answers for (apps deleted), and
 * no window using the index is still being answered (its answers add their rows as they come), the
 * next window starts a fresh index and the old one goes with the last window using it.
 */
class RowIndex {
  readonly #rows = new Map<string, number>();

  get size(): number {
    return this.#rows.size;
  }

  get(key: string): number | undefined {
    return this.#rows.get(key);
  }

  rowOf(key: string): number {
    let row = this.#rows.get(key);
    if (row === undefined) {
      row = this.#rows.size;
      this.#rows.set(key, row);
    }
    return row;
  }
}

/**
 * The four answers split by workload, as a table: one row per workload (its row in `rows`), four
 * values per row (`batchPurposes` order) and which of them a series answered. Kept windows hold
 * every workload's counts, so a row costs 33 bytes, not objects and arrays (at 5000 apps, a dozen
 * windows of objects were 100 MiB). A workload with more than one series in some answer (a query
 * not aggregated down to one) keeps its values in `several` (by row) instead.
 */
interface BatchAnswer {
  readonly rows: RowIndex;
  readonly values: Float64Array;
  /** Bit `purpose index` of a row: some series answered that query for the workload. */
  readonly answered: Uint8Array;
  readonly several: ReadonlyMap<number, Partial<Record<BatchPurpose, number[]>>>;
  readonly errors: Readonly<Partial<Record<BatchPurpose, string>>>;
}

interface Entry {
  readonly answer: Promise<BatchAnswer>;
  /** The row index its answers add their workloads to, as they come. */
  readonly rows: RowIndex;
  expiresAt: number;
  /** The answer once it came. */
  table?: BatchAnswer;
}

function workloadKey(namespace: string, workload: string): string {
  return `${namespace}\u0000${workload}`;
}

function queryOf(batch: BatchQueries, purpose: BatchPurpose): string {
  return purpose === 'p99' ? batch.p99 : batch.counts[purpose];
}

/** Why an answer's series cannot be split by workload, or null. */
function unsplittable(series: readonly Series[], by: BatchQueries['by']): string | null {
  const unlabeled = series.some(({ labels }) => labels[by.namespace] === undefined || labels[by.workload] === undefined);
  return unlabeled ? `batched query returned a series without the labels ${by.namespace} and ${by.workload} (aggregate with sum by (${by.namespace}, ${by.workload}))` : null;
}

function keyOfSeries(labels: Readonly<Record<string, string>>, by: BatchQueries['by']): string {
  return workloadKey(labels[by.namespace] as string, labels[by.workload] as string);
}

/** One answer's series as rows of `rows`, in order, with their values: all a window keeps of it. */
interface Column {
  readonly rows: Int32Array;
  readonly values: Float64Array;
}

/**
 * An answer as a column, or why it cannot be split. Made as each answer comes, so its series (a
 * label set and an object per workload, 10,000 at 5000 apps) are garbage before the window's other
 * answers arrive, not kept alive, copied and promoted by the collections while they are awaited.
 */
function columnOf(answer: SeriesAnswer, by: BatchQueries['by'], rows: RowIndex): Column | string {
  if (answer.kind === 'error') return answer.message;
  const { series } = answer;
  const message = unsplittable(series, by);
  if (message !== null) return message;
  const column = { rows: new Int32Array(series.length), values: new Float64Array(series.length) };
  series.forEach(({ labels, value }, i) => {
    column.rows[i] = rows.rowOf(keyOfSeries(labels, by));
    column.values[i] = value;
  });
  return column;
}

/** The columns as one table (see BatchAnswer); a column that could not be made is an error for its query. */
function tabulate(columns: ReadonlyArray<Column | string>, rows: RowIndex): BatchAnswer {
  const errors: Partial<Record<BatchPurpose, string>> = {};
  const width = batchPurposes.length;
  const values = new Float64Array(rows.size * width);
  const answered = new Uint8Array(rows.size);
  const several = new Map<number, Partial<Record<BatchPurpose, number[]>>>();
  columns.forEach((column, purpose) => {
    const name = batchPurposes[purpose] as BatchPurpose;
    if (typeof column === 'string') {
      errors[name] = column;
      return;
    }
    for (let i = 0; i < column.rows.length; i += 1) {
      const row = column.rows[i] as number;
      const value = column.values[i] as number;
      const kept = several.get(row);
      if (kept !== undefined) (kept[name] ??= []).push(value);
      else if (((answered[row] as number) & (1 << purpose)) === 0) {
        values[row * width + purpose] = value;
        answered[row] = (answered[row] as number) | (1 << purpose);
      } else {
        // A second series for this workload: it keeps all its values as lists from here on.
        const lists: Partial<Record<BatchPurpose, number[]>> = {};
        batchPurposes.forEach((other, index) => {
          if (((answered[row] as number) & (1 << index)) !== 0) lists[other] = [values[row * width + index] as number];
        });
        (lists[name] ??= []).push(value);
        several.set(row, lists);
      }
    }
  });
  return { rows, values, answered, several, errors };
}

async function fetchBatch(client: QueryClient, request: MeasureRequest, batch: BatchQueries, rows: RowIndex): Promise<BatchAnswer> {
  const vars = { namespace: '', workload: '', window: rangeOf(request), latencyEdge: request.latencyEdgeMs };
  const columns = await Promise.all(
    batchPurposes.map(async (purpose): Promise<Column | string> => {
      const rendered = renderQuery(queryOf(batch, purpose), vars);
      if (!rendered.ok) return `cannot render analysis template "${request.template.name}": ${rendered.message}`;
      return columnOf(await client.series(rendered.query, request.end), batch.by, rows);
    }),
  );
  return tabulate(columns, rows);
}

function failed(answer: BatchAnswer): boolean {
  return countPurposes.some((purpose) => answer.errors[purpose] !== undefined);
}

const none: readonly number[] = [];

/** What the per-workload query would have answered: the workload's series, or an empty vector. */
function answerFor(answer: BatchAnswer, purpose: BatchPurpose, key: string): QueryAnswer {
  const message = answer.errors[purpose];
  if (message !== undefined) return { kind: 'error', message };
  const row = answer.rows.get(key);
  if (row === undefined) return { kind: 'vector', values: none };
  const several = answer.several.get(row);
  if (several !== undefined) return { kind: 'vector', values: several[purpose] ?? none };
  const index = batchPurposes.indexOf(purpose);
  if (row >= answer.answered.length || ((answer.answered[row] as number) & (1 << index)) === 0) return { kind: 'vector', values: none };
  return { kind: 'vector', values: [answer.values[row * batchPurposes.length + index] as number] };
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
  let index = new RowIndex();
  /** The row index for a new window: a fresh one once most of its rows are named by no kept window. */
  const rows = (): RowIndex => {
    if (index.size <= 1024) return index;
    const sharing = [...entries.values()].filter((entry) => entry.rows === index);
    // A window still being answered adds its workloads as its answers come: they are in use.
    if (sharing.some((entry) => entry.table === undefined)) return index;
    const tables = sharing.flatMap((entry) => (entry.table === undefined ? [] : [entry.table]));
    let used = 0;
    for (let row = 0; row < index.size; row += 1) if (tables.some((table) => (table.answered[row] ?? 0) !== 0)) used += 1;
    if (index.size > 2 * used + 1024) index = new RowIndex();
    return index;
  };

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
    const shared = rows();
    const entry: Entry = { answer: fetchBatch(options.client, request, batch, shared), rows: shared, expiresAt: at + ttlMs };
    entries.set(key, entry);
    void entry.answer.then((answer) => {
      if (failed(answer)) entry.expiresAt = Math.min(entry.expiresAt, now() + failureTtlMs);
      entry.table = answer;
      // Arguments of an absent logger's call are not evaluated: no count without a logger.
      options.logger?.debug({ template: request.template.name, start: request.start, end: request.end, workloads: answer.answered.reduce((sum, bits) => sum + (bits === 0 ? 0 : 1), 0), rows: answer.rows.size, ms: now() - at }, 'batched measurement');
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
