// End to end from Prometheus to verdict: whatever goes wrong on the metrics side (no canary
// data, Prometheus down, erroring, lying, hanging), the judges never roll back and never call
// the canary safe on it. A person would see a pause, never a release decided on bad data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import { emptyEvidence, judgeFor } from '../../src/core/judge/index.ts';
import type { IntervalMeasurement, JudgePolicy, Verdict } from '../../src/core/types.ts';
import { judgePolicy } from '../support/builders.ts';
import type { MeasureRequest, MetricsSource } from '../../src/ports.ts';
import { History, LinkerdCounters } from '../support/exporter.ts';
import { linkerdTemplate } from '../support/linkerd-template.ts';
import { freePort, prometheusMissing, startFakePrometheus, startPrometheus } from '../support/prometheus.ts';
import type { FakePrometheus, PrometheusHandle } from '../support/prometheus.ts';

const t0 = Date.UTC(2024, 0, 1);
const minute = 60_000;
const intervals = 6;

function policy(kind: JudgePolicy['kind']): JudgePolicy {
  return judgePolicy({ kind, maxFailedChecks: 2 });
}

/** Measures `intervals` consecutive one-minute intervals and folds each into the judge. */
async function verdictsFor(source: MetricsSource, kind: JudgePolicy['kind'], canaryWeight: number): Promise<Verdict[]> {
  const judge = judgeFor(policy(kind));
  let evidence = emptyEvidence(policy(kind));
  const verdicts: Verdict[] = [];
  for (let index = 0; index < intervals; index += 1) {
    const start = t0 + index * minute;
    const request: MeasureRequest = { namespace: 'shop', canary: 'app', primary: 'app-primary', start, end: start + minute, template: linkerdTemplate, latencyEdgeMs: 500 };
    const interval: IntervalMeasurement = await source.measure(request);
    const assessment = judge.assess(evidence, interval, { canaryWeight, newStep: index === 0 });
    evidence = assessment.evidence;
    verdicts.push(assessment.verdict);
  }
  return verdicts;
}

function assertNeverDecided(verdicts: readonly Verdict[], what: string): void {
  for (const verdict of verdicts) {
    assert.notEqual(verdict.kind, 'rollback', `${what}: rolled back: ${verdict.reason}`);
    assert.ok(!(verdict.kind === 'continue' && verdict.safe), `${what}: called safe: ${verdict.reason}`);
  }
}

const missing = prometheusMissing();

void describe('a canary without data, measured by a real Prometheus', { skip: missing ?? false }, () => {
  let prometheus: PrometheusHandle | undefined;

  before(async () => {
    // Only the primary serves traffic; the canary has no series at all.
    const counters = new LinkerdCounters();
    const history = new History();
    for (let n = 0; n <= (intervals * minute) / 10_000; n += 1) {
      counters.serve({ namespace: 'shop', deployment: 'app-primary' }, { requests: n === 0 ? 0 : 50, failures: n === 0 ? 0 : 1 });
      history.record(counters, t0 + n * 10_000);
    }
    prometheus = await startPrometheus({ backfill: history.openMetrics() });
  });
  after(async () => {
    await prometheus?.stop();
  });

  for (const kind of ['sequential', 'threshold'] as const) {
    void it(`never rolls back or calls it safe, and pauses for no data (${kind} judge)`, async () => {
      const verdicts = await verdictsFor(createPrometheusMetrics({ url: prometheus!.url }), kind, 10);
      assertNeverDecided(verdicts, 'no canary data');
      assert.deepEqual(verdicts.map((v) => (v.kind === 'pause' ? v.cause : v.kind)), ['continue', 'continue', 'no-data', 'no-data', 'no-data', 'no-data']);
    });
  }
});

void describe('a failing Prometheus, through the adapter and the judges', () => {
  const servers: FakePrometheus[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  const failures: Record<string, () => Promise<MetricsSource>> = {
    'connection refused': async () => createPrometheusMetrics({ url: `http://127.0.0.1:${await freePort()}` }),
    'HTTP 500': async () => {
      const server = await startFakePrometheus((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"error","error":"boom"}'));
      servers.push(server);
      return createPrometheusMetrics({ url: server.url });
    },
    'a garbage body': async () => {
      const server = await startFakePrometheus((_req, res) => res.writeHead(200).end('<html>'));
      servers.push(server);
      return createPrometheusMetrics({ url: server.url });
    },
    'no answer': async () => {
      const server = await startFakePrometheus(() => undefined);
      servers.push(server);
      return createPrometheusMetrics({ url: server.url, timeoutMs: 100 });
    },
  };

  for (const [what, source] of Object.entries(failures)) {
    for (const kind of ['sequential', 'threshold'] as const) {
      void it(`pauses for unavailable metrics on ${what} (${kind} judge)`, async () => {
        const verdicts = await verdictsFor(await source(), kind, 50);
        assertNeverDecided(verdicts, what);
        for (const verdict of verdicts) assert.equal(verdict.kind === 'pause' ? verdict.cause : verdict.kind, 'metrics-unavailable');
      });
    }
  }
});
