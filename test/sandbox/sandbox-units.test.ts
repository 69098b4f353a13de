import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seeded } from '../../src/sandbox/random.ts';
import { spread, parseWeight, type Route } from '../../src/sandbox/routes.ts';
import { PodMetrics } from '../../src/sandbox/pod-metrics.ts';
import { createDirectMetrics, quantileMs, sampleOf } from '../../src/sandbox/direct-metrics.ts';
import { changeLine, weightBar, type CanaryPanel } from '../../src/sandbox/view.ts';
import { endingOf } from '../../src/sandbox/release.ts';
import { createTraffic } from '../../src/sandbox/traffic.ts';
import { scrapeConfig } from '../../src/sandbox/prometheus.ts';
import { linkerdTemplate } from '../support/linkerd-template.ts';
import { deflated } from '../../src/core/progress.ts';
import { policy } from '../support/builders.ts';

const pod = (name: string, image = 'app:1') => ({ name, image });

describe('the simulated mesh', () => {
  it('sends requests to primary and canary in proportion to the TrafficSplit weights', () => {
    const route: Route = {
      namespace: 'default', app: 'app',
      backends: [
        { deployment: 'app-primary', weight: 75, pods: [pod('p-1'), pod('p-2')] },
        { deployment: 'app', weight: 25, pods: [pod('c-1')] },
      ],
    };
    const result = spread(route, 100_000, seeded(7));
    const toCanary = result.assignments.filter((a) => a.deployment === 'app').reduce((sum, a) => sum + a.requests, 0);
    const total = result.assignments.reduce((sum, a) => sum + a.requests, 0);
    assert.equal(total, 100_000);
    assert.ok(toCanary > 24_000 && toCanary < 26_000, `canary got ${toCanary}`);
    assert.equal(result.unserved, 0);
  });

  it('never sends requests to a backend without ready pods and counts them as unserved', () => {
    const route: Route = { namespace: 'default', app: 'app', backends: [{ deployment: 'app', weight: 100, pods: [] }] };
    const result = spread(route, 50, seeded(1));
    assert.deepEqual(result.assignments, []);
    assert.equal(result.unserved, 50);
  });

  it('reads integer, string and quantity weights', () => {
    assert.equal(parseWeight(30), 30);
    assert.equal(parseWeight('30'), 30);
    assert.equal(parseWeight('900m'), 0.9);
    assert.equal(parseWeight(undefined), 0);
  });
});

describe('the simulated pods’ metrics', () => {
  it('exports Linkerd-style counters and cumulative latency buckets per pod', () => {
    const metrics = new PodMetrics();
    metrics.record({ namespace: 'default', deployment: 'app', pod: 'app-1' }, { failures: 1, latenciesMs: [3, 40, 700] });
    const text = metrics.exposition();
    assert.match(text, /response_total\{namespace="default",deployment="app",pod="app-1",direction="inbound",classification="success",status_code="200"\} 2/);
    assert.match(text, /response_total\{[^}]*classification="failure"[^}]*\} 1/);
    assert.match(text, /response_latency_ms_bucket\{[^}]*le="50"\} 2/);
    assert.match(text, /response_latency_ms_bucket\{[^}]*le="500"\} 2/);
    assert.match(text, /response_latency_ms_bucket\{[^}]*le="\+Inf"\} 3/);
  });

  it('drops the series of pods that are gone but keeps their deployment totals', () => {
    const metrics = new PodMetrics();
    metrics.record({ namespace: 'default', deployment: 'app', pod: 'app-1' }, { failures: 0, latenciesMs: [10] });
    metrics.retain(new Set());
    assert.doesNotMatch(metrics.exposition(), /app-1/);
    assert.equal(metrics.deploymentTotals('default', 'app')?.requests, 1);
  });

  it('writes a scrape config for the one exporter with honor_labels', () => {
    const config = scrapeConfig('127.0.0.1:9999', 1000);
    assert.match(config, /scrape_interval: 1000ms/);
    assert.match(config, /honor_labels: true/);
    assert.match(config, /127\.0\.0\.1:9999/);
  });
});

describe('the direct metrics source', () => {
  const request = (start: number, end: number) => ({
    namespace: 'default', canary: 'app', primary: 'app-primary', start, end, template: linkerdTemplate, latencyEdgeMs: 500,
  });

  it('counts requests, failures and slow requests of canary and primary within the interval only', async () => {
    const metrics = new PodMetrics();
    const direct = createDirectMetrics(metrics);
    metrics.record({ namespace: 'default', deployment: 'app', pod: 'a' }, { failures: 5, latenciesMs: Array(10).fill(20) });
    direct.snapshot(1000);
    metrics.record({ namespace: 'default', deployment: 'app', pod: 'a' }, { failures: 1, latenciesMs: [20, 20, 900, 900] });
    metrics.record({ namespace: 'default', deployment: 'app-primary', pod: 'p' }, { failures: 0, latenciesMs: [20, 30] });
    direct.snapshot(2000);
    const measured = await direct.measure(request(1000, 2000));
    assert.equal(measured.canary.kind, 'value');
    if (measured.canary.kind !== 'value') return;
    assert.equal(measured.canary.counts.requests, 4);
    assert.deepEqual(measured.canary.counts.events, { failures: 1, slow: 2 });
    assert.equal(measured.primary.kind, 'value');
  });

  it("reads one scrape further back as increase() does: the window's counts extrapolated to the range, exact once the judge deflates them", async () => {
    const metrics = new PodMetrics();
    const direct = createDirectMetrics(metrics);
    direct.snapshot(1000);
    metrics.record({ namespace: 'default', deployment: 'app', pod: 'a' }, { failures: 2, latenciesMs: Array(8).fill(20) });
    metrics.record({ namespace: 'default', deployment: 'app-primary', pod: 'p' }, { failures: 0, latenciesMs: [20, 30] });
    direct.snapshot(3000);
    const measured = await direct.measure({ ...request(1000, 3000), lookbackMs: 1000 });
    const judged = deflated(measured, policy({ metricsLagMs: 2000, lookMs: 2000, intervalMs: 5000 }));
    assert.equal(judged.canary.kind, 'value');
    if (judged.canary.kind !== 'value') return;
    assert.equal(judged.canary.counts.requests, 8);
    assert.deepEqual(judged.canary.counts.events, { failures: 2, slow: 0 });
    assert.equal(judged.canary.counts.successRate, 75, 'display values are ratios: not extrapolated');
  });

  it('answers no-data for a workload without requests, like an empty Prometheus answer', async () => {
    const direct = createDirectMetrics(new PodMetrics());
    direct.snapshot(1000);
    const measured = await direct.measure(request(0, 1000));
    assert.equal(measured.canary.kind, 'no-data');
    assert.equal(measured.primary.kind, 'no-data');
  });

  it('refuses a latency edge that is not a bucket edge', () => {
    assert.equal(sampleOf({ requests: 1, failures: 0, buckets: Array(21).fill(1), sumMs: 1 }, 450).kind, 'error');
  });

  it('interpolates p99 inside the bucket like histogram_quantile', () => {
    const buckets = Array(21).fill(0).map((_, index) => (index >= 9 ? 100 : 0)); // all within (40, 50]
    const p99 = quantileMs({ requests: 100, failures: 0, buckets, sumMs: 0 }, 0.99);
    assert.ok(p99 !== undefined && p99 > 40 && p99 <= 50);
  });
});

describe('the traffic generator', () => {
  it('repeats exactly the same traffic for the same seed', () => {
    const run = (seed: number) => {
      const metrics = new PodMetrics();
      const route: Route = { namespace: 'default', app: 'app', backends: [{ deployment: 'app', weight: 100, pods: [pod('a')] }] };
      const traffic = createTraffic({
        routes: () => [route], metrics, random: seeded(seed), rps: () => 100, tickMs: 0,
        behaviour: () => ({ failureRate: 0.1, latencyMedianMs: 50, latencySigma: 0.3 }),
      });
      for (let index = 0; index < 50; index += 1) traffic.tick(100);
      traffic.stop();
      return traffic.served().get('default/app');
    };
    assert.deepEqual(run(3), run(3));
    assert.notDeepEqual(run(3), run(4));
    const served = run(3);
    assert.ok(served !== undefined && served.requests > 400 && served.requests < 600);
  });
});

describe('the sandbox view', () => {
  const panel: CanaryPanel = {
    name: 'default/app', phase: 'Progressing', step: 1, steps: 3, canaryWeight: 10, image: 'app:2', message: 'step 1/3',
    canary: { failureRate: null, p99Ms: null }, primary: { failureRate: 0.01, p99Ms: 80 }, evidence: [],
  };

  it('draws a weight bar proportional to the canary weight', () => {
    assert.equal(weightBar(50, 10), '[#####.....]  50%');
  });

  it('logs a plain line only when phase, step, weight or message change', () => {
    assert.match(changeLine(undefined, panel) ?? '', /Progressing step 1\/3 weight 10%/);
    assert.equal(changeLine(panel, { ...panel, canary: { failureRate: 0.5, p99Ms: 1 } }), null);
    assert.notEqual(changeLine(panel, { ...panel, canaryWeight: 25 }), null);
  });
});

describe('following a release', () => {
  it('reads promoted, rolled back and paused only for the revision being released', () => {
    assert.equal(endingOf({ phase: 'Succeeded', revision: 'b', lastPromotedRevision: 'b' }, 'b', 'promoted'), 'promoted');
    assert.equal(endingOf({ phase: 'Failed', revision: 'b', lastFailedRevision: 'b' }, 'b', 'promoted'), 'rolled-back');
    assert.equal(endingOf({ phase: 'Succeeded', revision: 'a', lastPromotedRevision: 'a' }, 'b', 'promoted'), null);
    assert.equal(endingOf({ phase: 'Paused', revision: 'b' }, 'b', 'promoted'), null);
    assert.equal(endingOf({ phase: 'Paused', revision: 'b' }, 'b', 'paused'), 'paused');
  });
});
