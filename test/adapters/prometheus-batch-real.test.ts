// Batched measurement against a real Prometheus (Debian's 2.42) on backfilled history: a
// batched measurement of several canaries equals the per-canary measurement of each.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import { analysisTemplateSchema } from '../../src/config/analysis-schema.ts';
import type { AnalysisTemplate } from '../../src/config/analysis-schema.ts';
import type { Sample } from '../../src/core/types.ts';
import type { MeasureRequest } from '../../src/ports.ts';
import { History, LinkerdCounters } from '../support/exporter.ts';
import type { Traffic } from '../support/exporter.ts';
import { prometheusMissing, startPrometheus } from '../support/prometheus.ts';
import type { PrometheusHandle } from '../support/prometheus.ts';

const missing = prometheusMissing();
const t0 = Date.UTC(2024, 0, 1);
const tick = 10_000;
const ticks = 18;

/** Per namespace: the canary's traffic per pod and tick (null: no series), and the primary's. */
const apps: Record<string, { canary: Traffic | null; primary: Traffic }> = {
  healthy: { canary: { requests: 10, failures: 0 }, primary: { requests: 90, failures: 1, slow: 1 } },
  errors: { canary: { requests: 20, failures: 5 }, primary: { requests: 90, failures: 1, slow: 1 } },
  latency: { canary: { requests: 20, slow: 8 }, primary: { requests: 90, failures: 1, slow: 1 } },
  absent: { canary: null, primary: { requests: 90, failures: 1 } },
  odd: { canary: { requests: 23, failures: 1, slow: 2 }, primary: { requests: 77, failures: 2, slow: 3 } },
};

function backfill(): string {
  const counters = new LinkerdCounters();
  const history = new History();
  for (let n = 0; n <= ticks; n += 1) {
    for (const [namespace, app] of Object.entries(apps)) {
      const pick = (traffic: Traffic): Traffic => (n === 0 ? { requests: 0, failures: 0 } : traffic);
      if (app.canary !== null) counters.serve({ namespace, deployment: 'app' }, pick(app.canary));
      counters.serve({ namespace, deployment: 'app-primary' }, pick(app.primary));
    }
    history.record(counters, t0 + n * tick);
  }
  return history.openMetrics();
}

function shipped(name: string): AnalysisTemplate {
  return analysisTemplateSchema.parse(parse(readFileSync(new URL(`../../analysis/${name}.yaml`, import.meta.url), 'utf8')));
}

/** Samples equal up to float noise (Prometheus sums the same samples in another order). */
function assertSameSample(batched: Sample, single: Sample, what: string): void {
  assert.equal(batched.kind, single.kind, `${what}: ${JSON.stringify(batched)} vs ${JSON.stringify(single)}`);
  if (batched.kind !== 'value' || single.kind !== 'value') return;
  const pairs: [string, number | undefined, number | undefined][] = [
    ['requests', batched.counts.requests, single.counts.requests],
    ['failures', batched.counts.events.failures, single.counts.events.failures],
    ['slow', batched.counts.events.slow, single.counts.events.slow],
    ['successRate', batched.counts.successRate, single.counts.successRate],
    ['p99Ms', batched.counts.p99Ms, single.counts.p99Ms],
  ];
  for (const [name, b, s] of pairs) {
    assert.ok(b !== undefined && s !== undefined && Math.abs(b - s) < 1e-6, `${what} ${name}: batched ${String(b)}, per canary ${String(s)}`);
  }
}

void describe('batched measurement on a real Prometheus', { skip: missing ?? false }, () => {
  let prometheus: PrometheusHandle | undefined;

  before(async () => {
    prometheus = await startPrometheus({ backfill: backfill() });
  });
  after(async () => {
    await prometheus?.stop();
  });

  const windows = [
    { name: 'a whole minute', start: t0 + 60_000, end: t0 + 120_000 },
    { name: 'a window ending between samples', start: t0 + 80_000, end: t0 + 127_000 },
  ];
  for (const window of windows) {
    void it(`equals the per-canary measurement of each canary over ${window.name}`, async () => {
      const template = shipped('linkerd');
      const batched = createPrometheusMetrics({ url: prometheus!.url });
      const single = createPrometheusMetrics({ url: prometheus!.url, batch: false });
      const requests: MeasureRequest[] = Object.keys(apps).map((namespace) => ({
        namespace, canary: 'app', primary: 'app-primary', ...window, template, latencyEdgeMs: 500,
      }));
      const together = await Promise.all(requests.map((request) => batched.measure(request)));
      for (const [index, request] of requests.entries()) {
        const alone = await single.measure(request);
        assertSameSample(together[index]!.canary, alone.canary, `${request.namespace} canary`);
        assertSameSample(together[index]!.primary, alone.primary, `${request.namespace} primary`);
      }
      assert.deepEqual(together.find((_, index) => requests[index]?.namespace === 'absent')?.canary, { kind: 'no-data' });
    });
  }
});
