// The Prometheus MetricsSource against a real Prometheus (Debian's 2.42). Deterministic: the
// history is backfilled with promtool at explicit timestamps (every 10 s from 2024-01-01T00:00Z)
// and every query is evaluated at an explicit time. One block scrapes a live exporter.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import { analysisTemplateSchema } from '../../src/config/analysis-schema.ts';
import type { AnalysisTemplate } from '../../src/config/analysis-schema.ts';
import type { Counts, IntervalMeasurement, Sample } from '../../src/core/types.ts';
import type { MeasureRequest } from '../../src/ports.ts';
import { History, LinkerdCounters, startExporter } from '../support/exporter.ts';
import type { ExporterHandle, PodRef, Traffic } from '../support/exporter.ts';
import { linkerdTemplate } from '../support/linkerd-template.ts';
import { prometheusMissing, startPrometheus } from '../support/prometheus.ts';
import type { PrometheusHandle } from '../support/prometheus.ts';

const missing = prometheusMissing();
const t0 = Date.UTC(2024, 0, 1);
const tick = 10_000;
const ticks = 18; // snapshots at t0, t0+10s, …, t0+180s
/** The interval most tests measure: six ticks of traffic, samples on both edges. */
const interval = { start: t0 + 60_000, end: t0 + 120_000 };

interface Workload {
  readonly pods: number;
  /** Traffic each pod receives in the tick that ends at `t0 + n·10s` (n ≥ 1); null = none. */
  readonly traffic: (n: number) => Traffic | null;
  /** Ticks before whose traffic every pod restarts. */
  readonly restartAt?: readonly number[];
}

interface Scenario {
  readonly canary: Workload | null;
  readonly primary: Workload;
}

const steady = (traffic: Traffic, pods = 1): Workload => ({ pods, traffic: () => traffic });
const primaryTraffic = steady({ requests: 90, failures: 1, slow: 1 }, 2);

const scenarios: Record<string, Scenario> = {
  healthy: { canary: steady({ requests: 10 }, 2), primary: primaryTraffic },
  errors: { canary: steady({ requests: 20, failures: 5 }), primary: primaryTraffic },
  latency: { canary: steady({ requests: 20, slow: 8 }), primary: primaryTraffic },
  absent: { canary: null, primary: primaryTraffic },
  idle: { canary: { pods: 1, traffic: () => null }, primary: primaryTraffic },
  reset: { canary: { pods: 1, traffic: () => ({ requests: 20, failures: 2 }), restartAt: [9] }, primary: primaryTraffic },
  odd: { canary: steady({ requests: 23, failures: 1 }), primary: primaryTraffic },
};

function pods(namespace: string, deployment: string, count: number): PodRef[] {
  return Array.from({ length: count }, (_, index) => ({ namespace, deployment, pod: `${deployment}-${index}` }));
}

function driveTick(counters: LinkerdCounters, namespace: string, deployment: string, workload: Workload, n: number): void {
  for (const pod of pods(namespace, deployment, workload.pods)) {
    if (workload.restartAt?.includes(n) === true) counters.restart(pod);
    counters.serve(pod, n === 0 ? { requests: 0 } : (workload.traffic(n) ?? { requests: 0 }));
  }
}

function backfillHistory(): string {
  const counters = new LinkerdCounters();
  const history = new History();
  for (let n = 0; n <= ticks; n += 1) {
    for (const [namespace, scenario] of Object.entries(scenarios)) {
      if (scenario.canary !== null) driveTick(counters, namespace, 'app', scenario.canary, n);
      driveTick(counters, namespace, 'app-primary', scenario.primary, n);
    }
    history.record(counters, t0 + n * tick);
  }
  return history.openMetrics();
}

function request(namespace: string, overrides: Partial<MeasureRequest> = {}): MeasureRequest {
  return { namespace, canary: 'app', primary: 'app-primary', ...interval, template: linkerdTemplate, latencyEdgeMs: 500, ...overrides };
}

function counts(sample: Sample): Counts {
  assert.equal(sample.kind, 'value', `expected a value, got ${JSON.stringify(sample)}`);
  return sample.counts;
}

function errorOf(sample: Sample): string {
  assert.equal(sample.kind, 'error', `expected an error, got ${JSON.stringify(sample)}`);
  return sample.message;
}

/** Counts equal up to float noise. */
function assertCounts(actual: Counts, expected: { requests: number; failures: number; slow: number }): void {
  const got = { requests: actual.requests, failures: actual.events.failures, slow: actual.events.slow };
  for (const key of ['requests', 'failures', 'slow'] as const) {
    assert.ok(Math.abs(got[key] - expected[key]) < 1e-6, `${key}: got ${got[key]}, expected ${expected[key]} (${JSON.stringify(got)})`);
  }
}

void describe('Prometheus metrics source, on backfilled history', { skip: missing ?? false }, () => {
  let prometheus: PrometheusHandle | undefined;
  let measure: (req: MeasureRequest) => Promise<IntervalMeasurement>;

  before(async () => {
    prometheus = await startPrometheus({ backfill: backfillHistory() });
    const source = createPrometheusMetrics({ url: prometheus.url, timeoutMs: 5000 });
    measure = (req) => source.measure(req);
  });
  after(async () => {
    await prometheus?.stop();
  });

  void it('counts a healthy canary exactly as exported, summed over its pods', async () => {
    const measured = await measure(request('healthy'));
    assert.deepEqual([measured.start, measured.end], [interval.start, interval.end]);
    // Six ticks in the window: canary 2 pods × 10, primary 2 pods × 90 (1 failure, 1 slow each).
    assertCounts(counts(measured.canary), { requests: 120, failures: 0, slow: 0 });
    assertCounts(counts(measured.primary), { requests: 1080, failures: 12, slow: 12 });
  });

  void it('reports success rate and p99 for display', async () => {
    const measured = await measure(request('healthy'));
    const canary = counts(measured.canary);
    assert.equal(canary.successRate, 100);
    assert.ok(canary.p99Ms !== undefined && canary.p99Ms > 10 && canary.p99Ms <= 50, `p99 ${canary.p99Ms} within the 10–50 ms bucket`);
    const primary = counts(measured.primary);
    assert.ok(primary.successRate !== undefined && Math.abs(primary.successRate - (100 * 178) / 180) < 1e-9);
  });

  void it('shows an error regression as more failures on the canary', async () => {
    const measured = await measure(request('errors'));
    assertCounts(counts(measured.canary), { requests: 120, failures: 30, slow: 0 });
    assertCounts(counts(measured.primary), { requests: 1080, failures: 12, slow: 12 });
    assert.equal(counts(measured.canary).successRate, 75);
  });

  void it('shows a latency regression as slow requests above the edge', async () => {
    const measured = await measure(request('latency'));
    assertCounts(counts(measured.canary), { requests: 120, failures: 0, slow: 48 });
    const p99 = counts(measured.canary).p99Ms;
    assert.ok(p99 !== undefined && p99 > 1000, `p99 ${p99} lies in the slow requests' bucket`);
    // A higher edge than the slow requests' latency: none of them count as slow.
    assertCounts(counts((await measure(request('latency', { latencyEdgeMs: 5000 }))).canary), { requests: 120, failures: 0, slow: 0 });
  });

  void it('reports no-data for a canary that has no series at all, and still measures the primary', async () => {
    const measured = await measure(request('absent'));
    assert.deepEqual(measured.canary, { kind: 'no-data' });
    assertCounts(counts(measured.primary), { requests: 1080, failures: 12, slow: 12 });
  });

  void it('reports no-data for a canary whose counters exist but did not move', async () => {
    const measured = await measure(request('idle'));
    assert.deepEqual(measured.canary, { kind: 'no-data' });
  });

  void it('keeps counts correct and non-negative when the canary restarts mid-window', async () => {
    // The pod restarts before the tick ending at t0+90s: its counters drop from 160 to 20.
    const measured = await measure(request('reset'));
    assertCounts(counts(measured.canary), { requests: 120, failures: 12, slow: 0 });
  });

  void it('returns extrapolated, non-integer counts as they are (the judge rounds)', async () => {
    // 47 s window ending between samples: Prometheus extrapolates 2.3 req/s × 47 s.
    const measured = await measure(request('odd', { start: t0 + 80_000, end: t0 + 127_000 }));
    const canary = counts(measured.canary);
    assert.ok(!Number.isInteger(canary.requests));
    assertCounts(canary, { requests: 108.1, failures: 4.7, slow: 0 });
  });

  void it('measures the same interval the same way every time', async () => {
    const first = await measure(request('errors'));
    const second = await measure(request('errors'));
    assert.deepEqual(second, first);
  });

  void it('measures through the shipped analysis/linkerd.yaml', async () => {
    const template: AnalysisTemplate = analysisTemplateSchema.parse(parse(readFileSync(new URL('../../analysis/linkerd.yaml', import.meta.url), 'utf8')));
    const latency = await measure(request('latency', { template }));
    assertCounts(counts(latency.canary), { requests: 120, failures: 0, slow: 48 });
    assertCounts(counts(latency.primary), { requests: 1080, failures: 12, slow: 12 });
    const errors = await measure(request('errors', { template }));
    assertCounts(counts(errors.canary), { requests: 120, failures: 30, slow: 0 });
    assert.equal(counts(errors.canary).successRate, 75);
    assert.equal(counts(latency.canary).successRate, 100);
    assert.deepEqual((await measure(request('absent', { template }))).canary, { kind: 'no-data' });
  });

  void it('reports a query that returns a range vector as an error naming the query', async () => {
    const template = { ...linkerdTemplate, counts: { ...linkerdTemplate.counts, requests: 'response_total{namespace="{{namespace}}"}[{{window}}]' } };
    const measured = await measure(request('healthy', { template }));
    assert.match(errorOf(measured.canary), /^canary healthy\/app requests query: the query returned a matrix; an instant vector or scalar is expected/);
  });

  void it('reports a count query that returns several series as an error', async () => {
    const template = { ...linkerdTemplate, counts: { ...linkerdTemplate.counts, failures: 'increase(response_total{namespace="{{namespace}}", deployment="{{workload}}"}[{{window}}])' } };
    const measured = await measure(request('healthy', { template }));
    assert.match(errorOf(measured.canary), /failures query: returned 2 series; one is expected \(aggregate with sum\(\)\)/);
  });

  void it('reports a negative count as an error', async () => {
    const template = { ...linkerdTemplate, counts: { ...linkerdTemplate.counts, slow: '-1 * sum(increase(response_total{namespace="{{namespace}}", deployment="{{workload}}"}[{{window}}]))' } };
    const measured = await measure(request('healthy', { template }));
    assert.match(errorOf(measured.canary), /slow query: returned a negative count \(-120\)/);
  });

  void it('names Prometheus\' errorType for a query it cannot parse, not its words (they may quote anything)', async () => {
    const template = { ...linkerdTemplate, counts: { ...linkerdTemplate.counts, requests: 'sum(increase(response_total{[{{window}}]))' } };
    const measured = await measure(request('healthy', { template }));
    assert.match(errorOf(measured.primary), /^primary healthy\/app-primary requests query: Prometheus at http:\/\/127\.0\.0\.1:\d+ answered HTTP 400 \(bad_data\)$/);
  });

  void it('reports a template with an unknown placeholder as an error, without querying blanks', async () => {
    const template = { ...linkerdTemplate, counts: { ...linkerdTemplate.counts, slow: 'sum(x{pod="{{pod}}"})' } };
    const measured = await measure(request('healthy', { template }));
    assert.match(errorOf(measured.canary), /slow query: cannot render analysis template "linkerd-test": unknown placeholder \{\{pod\}\}/);
  });

  void it('reports an empty interval as errors on both sides', async () => {
    const measured = await measure(request('healthy', { start: interval.end, end: interval.end }));
    assert.match(errorOf(measured.canary), /empty interval/);
    assert.match(errorOf(measured.primary), /empty interval/);
  });
});

/** Polls an instant query until `done` holds for its single value; bounded to about 30 s. */
async function waitFor(url: string, query: string, done: (value: number) => boolean): Promise<number> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
    const value = Number(body.data.result[0]?.value[1] ?? Number.NaN);
    if (done(value)) return value;
    await sleep(200);
  }
  throw new Error(`Prometheus never satisfied the wait on ${query}`);
}

void describe('Prometheus metrics source, scraping a live exporter', { skip: missing ?? false }, () => {
  const counters = new LinkerdCounters();
  const canary: PodRef = { namespace: 'live', deployment: 'app' };
  const primary: PodRef = { namespace: 'live', deployment: 'app-primary' };
  let exporter: ExporterHandle | undefined;
  let prometheus: PrometheusHandle | undefined;

  before(async () => {
    counters.serve(canary, { requests: 0, failures: 0 });
    counters.serve(primary, { requests: 0, failures: 0 });
    exporter = await startExporter(counters);
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalMs: 1000 });
  });
  after(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  void it('counts traffic scraped live, across a restart of the canary pod', async () => {
    const url = prometheus!.url;
    const sum = (deployment: string): string => `sum(response_total{namespace="live", deployment="${deployment}"})`;
    await waitFor(url, `count_over_time(response_total{namespace="live", deployment="app"}[1m])`, (n) => n >= 2);
    counters.serve(canary, { requests: 100, failures: 4, slow: 3 });
    counters.serve(primary, { requests: 300, failures: 3 });
    await waitFor(url, sum('app'), (n) => n === 100);
    counters.restart(canary);
    counters.serve(canary, { requests: 30, failures: 1 });
    await waitFor(url, sum('app'), (n) => n === 30);
    // Evaluate at the last scrape so that Prometheus need not extrapolate past it.
    const lastScrape = await waitFor(url, 'max(timestamp(response_total{namespace="live"}))', (t) => t > 0);
    const end = Math.round(lastScrape * 1000);
    const source = createPrometheusMetrics({ url });
    const measured = await source.measure({ ...request('live'), start: end - 60_000, end });
    assertCounts(counts(measured.canary), { requests: 130, failures: 5, slow: 3 });
    assertCounts(counts(measured.primary), { requests: 300, failures: 3, slow: 0 });
  });
});
