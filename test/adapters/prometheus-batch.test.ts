// Batched measurement against a fake Prometheus over real HTTP on 127.0.0.1: one query per
// count for every canary measured over the same window, split per canary by label.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import type { Counts, Sample } from '../../src/core/types.ts';
import type { MeasureRequest } from '../../src/ports.ts';
import { linkerdBatchTemplate, linkerdTemplate } from '../support/linkerd-template.ts';
import { fakePrometheusPool } from '../support/prometheus.ts';

const start = Date.UTC(2024, 0, 1, 0, 1);
const end = start + 60_000;

interface WorkloadCounts {
  readonly requests: number;
  readonly failures: number;
  readonly slow: number;
}

/** What the fake Prometheus holds: "namespace/deployment" → counts over any window. */
const held: Readonly<Record<string, WorkloadCounts>> = {
  'shop/cart': { requests: 120, failures: 6, slow: 2 },
  'shop/cart-primary': { requests: 1080, failures: 9, slow: 12 },
  'shop/web-primary': { requests: 500, failures: 0, slow: 0 },
  'blog/cart': { requests: 30, failures: 0, slow: 30 },
  'blog/cart-primary': { requests: 300, failures: 3, slow: 3 },
};

function purposeOf(query: string): 'requests' | 'failures' | 'slow' | 'p99' {
  if (query.startsWith('histogram_quantile')) return 'p99';
  if (query.includes('classification="failure"')) return 'failures';
  if (query.includes('_count')) return 'slow';
  return 'requests';
}

interface Received {
  readonly query: string;
  readonly time: number;
}

function vector(series: { metric: Record<string, string>; value: number }[]): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'vector', result: series.map((s) => ({ metric: s.metric, value: [0, String(s.value)] })) } });
}

/** Answers batched queries with one series per held workload, labelled namespace and deployment. */
function batchAnswerer(received: Received[], options: { labels?: boolean; delayMs?: number } = {}) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const query = url.searchParams.get('query') ?? '';
    received.push({ query, time: Number(url.searchParams.get('time')) * 1000 });
    const purpose = purposeOf(query);
    const series = Object.entries(held).map(([key, counts]) => {
      const [namespace = '', deployment = ''] = key.split('/');
      return { metric: options.labels === false ? {} : { namespace, deployment }, value: purpose === 'p99' ? 42 : counts[purpose] };
    });
    setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(vector(series)), options.delayMs ?? 0);
  };
}

function request(namespace: string, canary: string, overrides: Partial<MeasureRequest> = {}): MeasureRequest {
  return { namespace, canary, primary: `${canary}-primary`, start, end, template: linkerdBatchTemplate, latencyEdgeMs: 500, ...overrides };
}

function countsOf(sample: Sample): Counts {
  assert.equal(sample.kind, 'value', `expected a value, got ${JSON.stringify(sample)}`);
  return sample.counts;
}

function plain(sample: Sample): WorkloadCounts {
  const counts = countsOf(sample);
  return { requests: counts.requests, failures: counts.events.failures, slow: counts.events.slow };
}

void describe('batched Prometheus measurement', () => {
  const fake = fakePrometheusPool(after);

  void it('measures concurrent canaries of one window with one query per count and splits the answer per canary', async () => {
    const received: Received[] = [];
    const server = await fake(batchAnswerer(received, { delayMs: 50 }));
    const source = createPrometheusMetrics({ url: server.url });
    const [shop, blog] = await Promise.all([source.measure(request('shop', 'cart')), source.measure(request('blog', 'cart'))]);
    assert.equal(received.length, 4, 'requests, failures, slow and p99, once each');
    assert.ok(received.every((r) => r.time === end && r.query.includes('[60s]')));
    assert.deepEqual(plain(shop!.canary), held['shop/cart']);
    assert.deepEqual(plain(shop!.primary), held['shop/cart-primary']);
    assert.deepEqual(plain(blog!.canary), held['blog/cart']);
    assert.deepEqual(plain(blog!.primary), held['blog/cart-primary']);
  });

  void it('derives the success rate from the counts and reads p99 per workload', async () => {
    const server = await fake(batchAnswerer([]));
    const measured = await createPrometheusMetrics({ url: server.url }).measure(request('shop', 'cart'));
    assert.equal(countsOf(measured.canary).successRate, 95);
    assert.equal(countsOf(measured.canary).p99Ms, 42);
  });

  void it('reuses the answer for a canary reconciled later in the same window, and asks again after the cache time', async () => {
    const received: Received[] = [];
    const server = await fake(batchAnswerer(received));
    let clock = 1_000_000;
    const source = createPrometheusMetrics({ url: server.url, batch: { ttlMs: 30_000, now: () => clock } });
    await source.measure(request('shop', 'cart'));
    clock += 10_000;
    assert.deepEqual(plain((await source.measure(request('blog', 'cart'))).canary), held['blog/cart']);
    assert.equal(received.length, 4, 'ten seconds later: the cached answer');
    clock += 21_000;
    await source.measure(request('blog', 'cart'));
    assert.equal(received.length, 8, 'past the cache time: asked again');
  });

  void it('keeps a bounded number of windows, dropping the oldest', async () => {
    const received: Received[] = [];
    const server = await fake(batchAnswerer(received));
    const source = createPrometheusMetrics({ url: server.url, batch: { maxEntries: 2 } });
    const windows = [0, 1, 2, 0].map((i) => ({ start: start + i * 60_000, end: end + i * 60_000 }));
    for (const window of windows) await source.measure(request('shop', 'cart', window));
    assert.equal(received.length, 16, 'the first window was dropped when the third came, and asked for again');
  });

  void it('reads a canary missing from the answer as no data, and still measures its primary', async () => {
    const server = await fake(batchAnswerer([]));
    const measured = await createPrometheusMetrics({ url: server.url }).measure(request('shop', 'web'));
    assert.deepEqual(measured.canary, { kind: 'no-data' });
    assert.deepEqual(plain(measured.primary), held['shop/web-primary']);
  });

  void it('never mixes windows: another window, another latency edge or another template is another batch', async () => {
    const received: Received[] = [];
    const server = await fake(batchAnswerer(received));
    const source = createPrometheusMetrics({ url: server.url });
    await source.measure(request('shop', 'cart'));
    await source.measure(request('shop', 'cart', { start: end, end: end + 60_000 }));
    await source.measure(request('shop', 'cart', { latencyEdgeMs: 1000 }));
    await source.measure(request('shop', 'cart', { template: { ...linkerdBatchTemplate, name: 'other' } }));
    assert.equal(received.length, 16);
    assert.deepEqual([...new Set(received.map((r) => r.time))], [end, end + 60_000]);
  });

  void it('makes a failed batch query an error for every canary in it, never zero, and asks again after the failure time', async () => {
    let failing = true;
    const received: Received[] = [];
    const healthy = batchAnswerer(received);
    const server = await fake((req, res) => {
      if (failing) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'internal', error: 'boom' }));
      else healthy(req, res);
    });
    const source = createPrometheusMetrics({ url: server.url, batch: { failureTtlMs: 0 } });
    const measured = await Promise.all([source.measure(request('shop', 'cart')), source.measure(request('blog', 'cart'))]);
    for (const m of measured) {
      assert.equal(m.canary.kind, 'error');
      assert.equal(m.primary.kind, 'error');
    }
    assert.equal(server.received.length, 4, 'the failed batch was sent once for both canaries');
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(plain((await source.measure(request('shop', 'cart'))).canary), held['shop/cart']);
  });

  void it('makes an answer whose series lack the namespace and workload labels an error, not no data', async () => {
    const server = await fake(batchAnswerer([], { labels: false }));
    const measured = await createPrometheusMetrics({ url: server.url }).measure(request('shop', 'cart'));
    assert.equal(measured.canary.kind, 'error');
    assert.match(measured.canary.kind === 'error' ? measured.canary.message : '', /requests query: batched query returned a series without the labels namespace and deployment/);
  });

  void it('reads a workload answered by two series in one query as the per-canary query would: an error naming them, for that workload only', async () => {
    const server = await fake((request: IncomingMessage, response: ServerResponse) => {
      const query = new URL(request.url ?? '/', 'http://fake').searchParams.get('query') ?? '';
      const purpose = purposeOf(query);
      const series = Object.entries(held).map(([key, counts]): { metric: Record<string, string>; value: number } => {
        const [namespace = '', deployment = ''] = key.split('/');
        return { metric: { namespace, deployment }, value: purpose === 'p99' ? 42 : counts[purpose] };
      });
      // The failures query of shop/cart was not summed down to one series per workload.
      if (purpose === 'failures') series.push({ metric: { namespace: 'shop', deployment: 'cart', code: '503' }, value: 1 });
      response.writeHead(200, { 'content-type': 'application/json' }).end(vector(series));
    });
    const source = createPrometheusMetrics({ url: server.url });
    const [shop, blog] = await Promise.all([source.measure(request('shop', 'cart')), source.measure(request('blog', 'cart'))]);
    assert.equal(shop.canary.kind, 'error');
    assert.match(shop.canary.kind === 'error' ? shop.canary.message : '', /failures query: returned 2 series; one is expected/);
    assert.deepEqual(plain(shop.primary), held['shop/cart-primary']);
    assert.deepEqual(plain(blog.canary), held['blog/cart']);
  });

  void it('measures a window off the canary\'s interval grid per canary, and one on it batched', async () => {
    const received: Received[] = [];
    const server = await fake(batchAnswerer(received));
    const source = createPrometheusMetrics({ url: server.url });
    await source.measure(request('shop', 'cart', { start: start + 10_000, intervalMs: 60_000 }));
    assert.equal(received.length, 10, 'five queries per side');
    await source.measure(request('shop', 'cart', { intervalMs: 60_000 }));
    assert.equal(received.length, 14);
  });

  void it('measures the looks of canaries on one look grid with one query per count, each reading one scrape before its window', async () => {
    const received: Received[] = [];
    const server = await fake(batchAnswerer(received, { delayMs: 50 }));
    const source = createPrometheusMetrics({ url: server.url });
    // Two canaries whose 30 s looks (15 s scrapes) end together: one batch, ranges of 45 s.
    const look = { start: end - 30_000, intervalMs: 30_000, lookbackMs: 15_000 };
    const [shop, blog] = await Promise.all([source.measure(request('shop', 'cart', look)), source.measure(request('blog', 'cart', look))]);
    assert.equal(received.length, 4, 'requests, failures, slow and p99, once each');
    assert.ok(received.every((r) => r.time === end && r.query.includes('[45s]')), received.map((r) => r.query).join('\n'));
    assert.deepEqual({ start: shop!.start, end: shop!.end }, { start: end - 30_000, end }, 'the answer belongs to the window, not the range read');
    assert.deepEqual(plain(blog!.canary), held['blog/cart']);
    // The same window read without the lookback is another query, never a cached answer for another range.
    await source.measure(request('shop', 'cart', { start: end - 30_000, intervalMs: 30_000 }));
    assert.equal(received.length, 8);
    assert.ok(received.slice(4).every((r) => r.query.includes('[30s]')));
  });

  void it('keeps each window\'s own counts while workloads come and go between windows (thousands deleted, others added)', async () => {
    // Window i answers for the workloads it names, with counts that depend on the window.
    const named = (i: number): string[] => (i === 0
      ? Array.from({ length: 3000 }, (_, k) => `w${k}`)
      : i === 1 ? ['cart', 'cart-primary'] : ['web', 'web-primary', 'cart-primary']);
    const server = await fake((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const i = Math.round((Number(url.searchParams.get('time')) * 1000 - end) / 60_000);
      const purpose = purposeOf(url.searchParams.get('query') ?? '');
      const series = named(i).map((deployment, k) => ({ metric: { namespace: 'shop', deployment }, value: purpose === 'p99' ? 42 : 100 * (i + 1) + k }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(vector(series));
    });
    let clock = 0;
    const lines: Array<{ msg?: string; rows?: number }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg?: string; rows?: number }) });
    const source = createPrometheusMetrics({ url: server.url, logger, batch: { ttlMs: 30_000, now: () => clock } });
    const indexRows = (): Array<number | undefined> => lines.filter((l) => l.msg === 'batched measurement').map((l) => l.rows);
    const at = (i: number): Partial<MeasureRequest> => ({ start: start + i * 60_000, end: end + i * 60_000 });
    const requestsOf = (sample: Sample): number | null => (sample.kind === 'value' ? sample.counts.requests : null);
    const w0 = await source.measure(request('shop', 'w7', { ...at(0), primary: 'w2999' }));
    assert.deepEqual([requestsOf(w0.canary), requestsOf(w0.primary)], [107, 3099]);
    clock = 20_000;
    const w1 = await source.measure(request('shop', 'cart', at(1)));
    assert.deepEqual([requestsOf(w1.canary), requestsOf(w1.primary)], [200, 201]);
    // The 3000 workloads are gone, and so is the window that named them; the third window names one nobody named before.
    clock = 35_000;
    const w2 = await source.measure(request('shop', 'web', at(2)));
    assert.deepEqual([requestsOf(w2.canary), requestsOf(w2.primary)], [300, 301]);
    assert.deepEqual((await source.measure(request('shop', 'cart', at(2)))).canary, { kind: 'no-data' }, 'cart is not in the third window');
    // The window still kept answers for its own workloads, and only for those.
    assert.equal(requestsOf((await source.measure(request('shop', 'cart', at(1)))).canary), 200);
    assert.deepEqual((await source.measure(request('shop', 'web', at(1)))).canary, { kind: 'no-data' }, 'web came after the second window');
    assert.equal(server.received.length, 12, 'three windows, four queries each: the later reads came from kept windows');
    // The second window added its 2 workloads to the 3000 rows; the third started afresh once the 3000 were named by no kept window.
    assert.deepEqual(indexRows(), [3000, 3002, 3]);
  });

  void it('shares the row index with a window still being answered, never starting a second copy of its keys', async () => {
    // The first window names 3000 workloads and then expires; the second names them again, and
    // only its count of requests answers at once; the third, asked meanwhile, names 2000 others.
    let releaseSecond: () => void = () => undefined;
    const secondHeld = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    const windows: number[] = [];
    const server = await fake((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const i = Math.round((Number(url.searchParams.get('time')) * 1000 - end) / 60_000);
      windows.push(i);
      const purpose = purposeOf(url.searchParams.get('query') ?? '');
      const names = i === 2 ? Array.from({ length: 2000 }, (_, k) => `v${k}`) : Array.from({ length: 3000 }, (_, k) => `w${k}`);
      const body = vector(names.map((deployment, k) => ({ metric: { namespace: 'shop', deployment }, value: purpose === 'p99' ? 42 : 10 * (i + 1) + k })));
      const send = (): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      if (i === 1 && purpose !== 'requests') void secondHeld.then(send);
      else send();
    });
    let clock = 0;
    const lines: Array<{ msg?: string; rows?: number; start?: number }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg?: string; rows?: number; start?: number }) });
    const source = createPrometheusMetrics({ url: server.url, logger, batch: { ttlMs: 30_000, now: () => clock } });
    const at = (i: number): Partial<MeasureRequest> => ({ start: start + i * 60_000, end: end + i * 60_000 });
    await source.measure(request('shop', 'w1', at(0)));
    clock = 40_000;
    const second = source.measure(request('shop', 'w2', at(1)));
    const asked = (): number => windows.filter((i) => i === 1).length;
    for (let tries = 0; asked() < 4 && tries < 2000; tries += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(asked(), 4, 'the second window asked its four queries');
    // Let the answer that came be taken in before the third window is asked for.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await source.measure(request('shop', 'v1', at(2)));
    releaseSecond();
    const measured = await second;
    assert.equal(measured.canary.kind, 'value');
    assert.equal(third.canary.kind, 'value');
    const rowsOf = (i: number): number | undefined => lines.find((l) => l.msg === 'batched measurement' && l.start === start + i * 60_000)?.rows;
    assert.equal(rowsOf(0), 3000);
    assert.equal(rowsOf(2), 5000, 'the third window added its 2000 workloads to the index the second was still filling');
  });

  void it('measures a template without a batch form per canary, as before', async () => {
    const received: Received[] = [];
    const server = await fake(batchAnswerer(received));
    await createPrometheusMetrics({ url: server.url }).measure(request('shop', 'cart', { template: linkerdTemplate }));
    assert.equal(received.length, 10);
  });
});
