// Analysis templates of a team's own, against a real Prometheus (Debian's 2.42 on 127.0.0.1):
// custom metric names and labels from an exporter of its own (Spring's
// http_server_requests_seconds histogram), an extra count metric and a gauge check judged from
// backfilled history, a 2 s scrape allowing a 5 s interval, and other Prometheus servers behind
// bearer-token and basic auth — one unreachable pausing only the canaries that use it.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import { createRoutedMetrics } from '../../src/adapters/prometheus-routed.ts';
import { analysisTemplateSchema, type AnalysisTemplate } from '../../src/config/analysis-schema.ts';
import { parseAnnotations } from '../../src/config/annotations.ts';
import { loadCatalog, type Catalog } from '../../src/config/catalog.ts';
import { emptyEvidence, judgeFor } from '../../src/core/judge/index.ts';
import type { JudgePolicy, Verdict } from '../../src/core/types.ts';
import type { MeasureRequest, MetricsSource, PrometheusTarget } from '../../src/ports.ts';
import { startExporter, type ExporterHandle } from '../support/exporter.ts';
import { SpringCounters, springHistory, springSelector, springTemplateSpec, type Side } from '../support/spring-exporter.ts';
import { freePort, prometheusMissing, startFakePrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.ts';

const t0 = Date.UTC(2024, 0, 1);
const step = 2_000;

const sel = springSelector;
const baseSpec = springTemplateSpec('2s');
const deadlineMetric = { name: 'deadline-exceeded', events: `sum(increase(grpc_server_handled_total{${sel}, grpc_code="DeadlineExceeded"}[{{window}}]))`, requests: `sum(increase(grpc_server_handled_total{${sel}}[{{window}}]))` };
const memoryCheck = { name: 'memory', query: `max(process_resident_memory_bytes{${sel}})`, max: 512e6, for: 2 };

function template(extra: Record<string, unknown> = {}): AnalysisTemplate {
  return analysisTemplateSchema.parse({ name: 'spring', ...baseSpec, ...extra });
}

function catalogWith(catalog: Catalog, t: AnalysisTemplate): Catalog {
  return { ...catalog, analysis: new Map([...catalog.analysis, [t.name, t]]) };
}

/** The judge policy the controller would build for an app naming the template. */
function policyFor(catalog: Catalog, t: AnalysisTemplate, annotations: Record<string, string> = {}): JudgePolicy {
  const parsed = parseAnnotations({ 'fledge.dev/canary': 'true', 'fledge.dev/analysis': t.name, 'fledge.dev/latency-p99-max': '250', ...annotations }, catalogWith(catalog, t));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.issues.map((i) => i.message).join('; '));
  return parsed.config.policy.judge;
}

function requestOf(t: AnalysisTemplate, start: number, end: number): MeasureRequest {
  return { namespace: 'shop', canary: 'checkout', primary: 'checkout-primary', start, end, template: t, latencyEdgeMs: 250 };
}

async function verdicts(source: MetricsSource, t: AnalysisTemplate, policy: JudgePolicy, count: number): Promise<Verdict[]> {
  const judge = judgeFor(policy);
  let evidence = emptyEvidence(policy);
  const out: Verdict[] = [];
  for (let index = 0; index < count; index += 1) {
    const start = t0 + 60_000 + index * 30_000;
    const assessment = judge.assess(evidence, await source.measure(requestOf(t, start, start + 30_000)), { canaryWeight: 20, newStep: index === 0 });
    evidence = assessment.evidence;
    out.push(assessment.verdict);
    if (assessment.verdict.kind === 'rollback') break;
  }
  return out;
}

const canary: Side = { app: 'checkout', rps: 20, failureShare: 0.005, deadlineShare: 0.1, memoryBytes: 600e6 };
const primary: Side = { app: 'checkout-primary', rps: 80, failureShare: 0.005, deadlineShare: 0.005, memoryBytes: 300e6 };

function history(): string {
  return springHistory([canary, primary], { from: t0, to: t0 + 10 * 60_000, stepMs: step });
}

/** A loopback reverse proxy that answers 401 unless the request carries `authorization`. */
async function authProxy(upstream: string, authorization: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== authorization) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    const forward = httpRequest({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const missing = prometheusMissing();

void describe('a team\'s own analysis template against a real Prometheus (backfilled history)', { skip: missing ?? false }, () => {
  let prometheus: PrometheusHandle | undefined;
  let catalog: Catalog;
  const proxies: Array<{ url: string; stop: () => Promise<void> }> = [];

  before(async () => {
    catalog = await loadCatalog();
    prometheus = await startPrometheus({ backfill: history() });
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
    await prometheus?.stop();
  });

  void it('measures custom metric names and labels: requests, 5xx, slow requests, the extra metric and the gauge, per side', async () => {
    const source = createPrometheusMetrics({ url: prometheus!.url });
    const t = template({ metrics: [deadlineMetric], checks: [memoryCheck] });
    const m = await source.measure(requestOf(t, t0 + 60_000, t0 + 120_000));
    assert.equal(m.canary.kind, 'value', JSON.stringify(m.canary));
    assert.equal(m.primary.kind, 'value', JSON.stringify(m.primary));
    if (m.canary.kind !== 'value' || m.primary.kind !== 'value') return;
    assert.ok(Math.abs(m.canary.counts.requests - 1200) <= 60, `canary requests ${m.canary.counts.requests} ≈ 20/s × 60 s`);
    assert.ok(Math.abs(m.primary.counts.requests - 4800) <= 240, `primary requests ${m.primary.counts.requests} ≈ 80/s × 60 s`);
    assert.ok(Math.abs(m.canary.counts.events.failures - 6) <= 1, `canary 5xx ${m.canary.counts.events.failures} ≈ 0.5%`);
    assert.ok(m.canary.counts.events.slow < 1, 'every request is under the 250 ms edge');
    const deadline = m.canary.counts.extra?.['deadline-exceeded'];
    assert.ok(deadline !== undefined && Math.abs(deadline.events - 120) <= 6 && Math.abs((deadline.requests ?? 0) - 1200) <= 60, JSON.stringify(deadline));
    assert.equal(m.canary.counts.gauges?.['memory'], 600e6);
    assert.equal(m.primary.counts.gauges, undefined, 'gauges are read on the canary only');
  });

  void it('an extra count metric that only it sees rolls the canary back; without it the same canary goes on', async () => {
    const source = createPrometheusMetrics({ url: prometheus!.url });
    const withMetric = template({ metrics: [deadlineMetric] });
    const rolled = await verdicts(source, withMetric, policyFor(catalog, withMetric), 8);
    const last = rolled.at(-1);
    assert.equal(last?.kind, 'rollback', last?.reason);
    assert.match(last?.reason ?? '', /^deadline-exceeded: the canary counted [\d.]+% of [\d,]+ against the primary's [\d.]+% \(about \d+×\)/);
    const plain = template();
    const goesOn = await verdicts(source, plain, policyFor(catalog, plain), 8);
    assert.ok(goesOn.every((v) => v.kind === 'continue'), goesOn.map((v) => v.reason).join(' | '));
  });

  void it('a gauge check over its bound two intervals in a row rolls back at the second', async () => {
    const source = createPrometheusMetrics({ url: prometheus!.url });
    const t = template({ checks: [memoryCheck] });
    const out = await verdicts(source, t, policyFor(catalog, t), 5);
    assert.deepEqual(out.map((v) => v.kind), ['continue', 'rollback']);
    assert.match(out[1]?.reason ?? '', /check memory: canary 600000000 above max 512000000 for 2 interval\(s\) in a row/);
  });

  void it('reads a second Prometheus behind bearer-token auth and a third behind basic auth; wrong credentials are an error, never data', async () => {
    const bearer = await authProxy(prometheus!.url, 'Bearer team-a-token');
    const basic = await authProxy(prometheus!.url, `Basic ${Buffer.from('team-b:p@ss:word').toString('base64')}`);
    proxies.push(bearer, basic);
    const own: MetricsSource = { measure: () => Promise.reject(new Error('the controller\'s own Prometheus was asked')) };
    const source = createRoutedMetrics({ own, make: (target: PrometheusTarget) => createPrometheusMetrics({ ...target, timeoutMs: target.timeoutMs ?? 5000 }) });
    const t = template();
    const ask = (prometheus: PrometheusTarget): Promise<string> => source.measure({ ...requestOf(t, t0 + 60_000, t0 + 90_000), prometheus }).then((m) => m.canary.kind);
    assert.equal(await ask({ url: bearer.url, bearerToken: 'team-a-token' }), 'value');
    assert.equal(await ask({ url: basic.url, basicAuth: { username: 'team-b', password: 'p@ss:word' } }), 'value');
    assert.equal(await ask({ url: bearer.url, bearerToken: 'wrong' }), 'error');
    assert.equal(await ask({ url: basic.url }), 'error');
  });

  void it('a Prometheus that never answers is cut off by its timeout: an error for its canaries, data for the others', async () => {
    const hanging = await startFakePrometheus(() => undefined);
    proxies.push({ url: hanging.url, stop: () => hanging.stop() });
    const own = createPrometheusMetrics({ url: prometheus!.url, timeoutMs: 5000 });
    const source = createRoutedMetrics({ own, make: (target) => createPrometheusMetrics({ ...target, timeoutMs: target.timeoutMs ?? 5000 }) });
    const t = template();
    const [theirs, mine] = await Promise.all([
      source.measure({ ...requestOf(t, t0 + 60_000, t0 + 90_000), prometheus: { url: hanging.url, timeoutMs: 300 } }),
      source.measure(requestOf(t, t0 + 60_000, t0 + 90_000)),
    ]);
    assert.equal(theirs.canary.kind, 'error');
    assert.match(theirs.canary.kind === 'error' ? theirs.canary.message : '', /no answer from Prometheus at http:\/\/127\.0\.0\.1:\d+ within 300 ms/);
    assert.equal(mine.canary.kind, 'value');
  });

  void it('one unreachable Prometheus pauses only the canaries that use it', async () => {
    const own = createPrometheusMetrics({ url: prometheus!.url, timeoutMs: 5000 });
    const source = createRoutedMetrics({ own, make: (target) => createPrometheusMetrics({ ...target, timeoutMs: 2000 }) });
    const t = template();
    const down = `http://127.0.0.1:${await freePort()}`;
    const [theirs, mine] = await Promise.all([
      source.measure({ ...requestOf(t, t0 + 60_000, t0 + 90_000), prometheus: { url: down } }),
      source.measure(requestOf(t, t0 + 60_000, t0 + 90_000)),
    ]);
    const judge = judgeFor(policyFor(catalog, t));
    const verdictOf = (m: typeof mine): Verdict => judge.assess(emptyEvidence(policyFor(catalog, t)), m, { canaryWeight: 20, newStep: true }).verdict;
    const paused = verdictOf(theirs);
    assert.equal(paused.kind === 'pause' ? paused.cause : paused.kind, 'metrics-unavailable');
    assert.equal(verdictOf(mine).kind, 'continue');
  });
});

void describe('a template whose Prometheus scrapes every 2 s, judged every 5 s (live scraping)', { skip: missing ?? false }, () => {
  let prometheus: PrometheusHandle | undefined;
  let exporter: ExporterHandle | undefined;
  const counters = new SpringCounters();
  let feeding = true;
  let feeder: Promise<void> = Promise.resolve();

  before(async () => {
    counters.add(canary, 0);
    counters.add(primary, 0);
    exporter = await startExporter(counters);
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalMs: 2000 });
    feeder = (async () => {
      for (let i = 0; i < 200 && feeding; i += 1) {
        counters.add(canary, 0.25);
        counters.add(primary, 0.25);
        await sleep(250);
      }
    })();
  });
  after(async () => {
    feeding = false;
    await feeder;
    await prometheus?.stop();
    await exporter?.stop();
  });

  void it('a 5 s interval is allowed with a 2 s scrape (and refused with the built-in 10 s linkerd template); a 5 s window has data', async () => {
    const catalog = await loadCatalog();
    const t = template();
    const parsed = parseAnnotations({ 'fledge.dev/canary': 'true', 'fledge.dev/analysis': 'spring', 'fledge.dev/interval': '5s', 'fledge.dev/bake': '10s', 'fledge.dev/latency-p99-max': '250' }, catalogWith(catalog, t));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.issues.map((i) => i.message).join('; '));
    assert.equal(parsed.config.policy.metricsLagMs, 4000, 'data for an interval is read two scrapes (4 s) after it ends');
    const builtin = parseAnnotations({ 'fledge.dev/canary': 'true', 'fledge.dev/interval': '5s', 'fledge.dev/bake': '10s' }, catalog);
    assert.equal(builtin.ok, false, 'linkerd scrapes every 10 s: a 5 s interval would never see data');
    const source = createPrometheusMetrics({ url: prometheus!.url });
    // Wait (bounded) until a whole 5 s window, read 4 s after its end as the controller would, has canary data.
    let kind = 'none';
    for (let attempt = 0; attempt < 40 && kind !== 'value'; attempt += 1) {
      await sleep(500);
      const end = Math.floor((Date.now() - 4000) / 5000) * 5000;
      kind = (await source.measure(requestOf(t, end - 5000, end))).canary.kind;
    }
    assert.equal(kind, 'value');
  });
});
