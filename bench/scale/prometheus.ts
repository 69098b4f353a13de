// The Prometheus the scale bench's controller queries, behind a counting proxy that records every
// PromQL query the controller actually sends and how long the answer took:
// - `fake`: a small in-process server answering any instant query of the linkerd template (batched
//   or per canary) with healthy, identical versions whose counts follow from the window's length
//   (canary 10 req/s, primary 90 req/s, 0.1% failures, 0.2% slow);
// - `real`: Debian's `prometheus` on 127.0.0.1 scraping one exporter that serves linkerd-style
//   response_total / response_latency_ms counters for every app and its primary at those rates.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startExporter } from '../../src/sandbox/exporter.ts';
import { startSandboxPrometheus } from '../../src/sandbox/prometheus.ts';

export type PrometheusMode = 'fake' | 'real';

export interface QueryLog {
  /** Instant queries received. */
  queries: number;
  /** Milliseconds from request to the end of the answer, per query. */
  readonly latenciesMs: number[];
}

export interface BenchPrometheus {
  /** What the controller is given: the counting proxy. */
  readonly url: string;
  readonly log: QueryLog;
  /** Forgets the queries so far (the release is measured on its own). */
  reset(): void;
  stop(): Promise<void>;
}

const namespace = 'default';
const rates = { canary: 10, primary: 90 } as const;
const failureShare = 0.001;
const slowShare = 0.002;
const p99Ms = 240;

type Purpose = 'requests' | 'failures' | 'slow' | 'successRate' | 'p99';

function purposeOf(query: string): Purpose {
  if (query.startsWith('histogram_quantile')) return 'p99';
  if (query.startsWith('100 *')) return 'successRate';
  if (query.includes('classification="failure"')) return 'failures';
  if (query.includes('_count')) return 'slow';
  return 'requests';
}

function windowSeconds(query: string): number {
  const match = /\[(\d+)(ms|s)\]/.exec(query);
  if (match === null) return 0;
  return match[2] === 'ms' ? Number(match[1]) / 1000 : Number(match[1]);
}

function valueOf(purpose: Purpose, workload: string, seconds: number): number {
  const requests = (workload.endsWith('-primary') ? rates.primary : rates.canary) * seconds;
  const values: Record<Purpose, number> = { requests, failures: requests * failureShare, slow: requests * slowShare, successRate: 100 * (1 - failureShare), p99: p99Ms };
  return values[purpose];
}

function vectorJson(time: number, series: readonly { metric: Record<string, string>; value: number }[]): string {
  const result = series.map((s) => ({ metric: s.metric, value: [time, String(s.value)] }));
  return JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
}

/** Answers the linkerd template's queries: `sum by (...)` with a series per workload, else one unlabelled series. */
function fakeHandler(workloads: readonly string[]): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const query = url.searchParams.get('query') ?? '';
    const time = Number(url.searchParams.get('time'));
    const purpose = purposeOf(query);
    const seconds = windowSeconds(query);
    const single = /deployment="([^"]+)"/.exec(query)?.[1];
    const series = single === undefined
      ? workloads.map((deployment) => ({ metric: { namespace, deployment }, value: valueOf(purpose, deployment, seconds) }))
      : [{ metric: {}, value: valueOf(purpose, single, seconds) }];
    response.writeHead(200, { 'content-type': 'application/json' }).end(vectorJson(time, series));
  };
}

/** Linkerd-style counters for every workload, growing at their rates since `since`. */
function exposition(workloads: readonly string[], since: number): () => string {
  const labels = workloads.map((deployment) => `namespace="${namespace}",deployment="${deployment}",direction="inbound"`);
  return () => {
    const seconds = (Date.now() - since) / 1000;
    const lines: string[] = ['# TYPE response_total counter'];
    const latency: string[] = ['# TYPE response_latency_ms histogram'];
    workloads.forEach((workload, index) => {
      const l = labels[index] ?? '';
      const count = valueOf('requests', workload, seconds);
      lines.push(`response_total{${l},classification="success"} ${count * (1 - failureShare)}`, `response_total{${l},classification="failure"} ${count * failureShare}`);
      latency.push(
        `response_latency_ms_bucket{${l},le="100"} ${count * 0.9}`,
        `response_latency_ms_bucket{${l},le="500"} ${count * (1 - slowShare)}`,
        `response_latency_ms_bucket{${l},le="+Inf"} ${count}`,
        `response_latency_ms_count{${l}} ${count}`,
      );
    });
    return [...lines, ...latency, ''].join('\n');
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Forwards everything to `upstream`, counting and timing the instant queries. */
function countingProxy(upstream: string, log: QueryLog): Server {
  const target = new URL(upstream);
  return createServer((request, response) => {
    const started = performance.now();
    const counted = (request.url ?? '').startsWith('/api/v1/query');
    const forward = httpRequest({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
      answer.once('end', () => {
        if (!counted) return;
        log.queries += 1;
        log.latenciesMs.push(performance.now() - started);
      });
    });
    forward.once('error', () => response.writeHead(502).end());
    request.pipe(forward);
  });
}

export interface BenchPrometheusOptions {
  readonly mode: PrometheusMode;
  /** Every app's name; each has a canary `name` and a primary `name-primary`. */
  readonly apps: readonly string[];
  readonly scrapeMs: number;
}

/** Starts the upstream (fake or real) and the counting proxy in front of it. */
export async function startBenchPrometheus(options: BenchPrometheusOptions): Promise<BenchPrometheus> {
  const workloads = options.apps.flatMap((app) => [app, `${app}-primary`]);
  const stops: (() => Promise<void>)[] = [];
  let upstream: string;
  if (options.mode === 'fake') {
    const fake = createServer(fakeHandler(workloads));
    upstream = await listen(fake);
    stops.push(() => close(fake));
  } else {
    const exporter = await startExporter({ exposition: exposition(workloads, Date.now() - 60_000) });
    stops.push(() => exporter.stop());
    const started = await startSandboxPrometheus({ target: exporter.target, scrapeIntervalMs: options.scrapeMs });
    if (!started.ok) {
      await exporter.stop();
      throw new Error(`prometheus did not start: ${started.message}`);
    }
    upstream = started.prometheus.url;
    stops.unshift(() => started.prometheus.stop());
  }
  const log: QueryLog = { queries: 0, latenciesMs: [] };
  const proxy = countingProxy(upstream, log);
  const url = await listen(proxy);
  stops.unshift(() => close(proxy));
  return {
    url,
    log,
    reset: () => {
      log.queries = 0;
      log.latenciesMs.length = 0;
    },
    stop: async () => {
      for (const stop of stops) await stop();
    },
  };
}
