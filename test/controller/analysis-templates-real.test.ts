// Reconcile with a namespaced template read from a real Prometheus (Debian's 2.42, backfilled
// Spring Boot history around the harness's clock): a template edited mid-run does not change the
// run (it promotes on the queries it started with), and the edit applies to the next run (whose
// edited query finds nothing: it pauses for no data); a template deleted mid-run holds the release.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import { memoryHarness, t0, type MemoryHarness } from '../support/release-harness.ts';
import { prometheusMissing, startPrometheus, type PrometheusHandle } from '../support/prometheus.ts';
import { springHistory, springSelector, springTemplateSpec } from '../support/spring-exporter.ts';

const sel = springSelector;
const spec = springTemplateSpec('5s');
const annotations = { 'fledge.dev/analysis': 'spring', 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m', 'fledge.dev/latency-p99-max': '250' };
const terminal = (s: Record<string, any>): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';

const missing = prometheusMissing();

describe('a namespaced template read from a real Prometheus, edited and deleted mid-run', { skip: missing ?? false }, () => {
  let prometheus: PrometheusHandle | undefined;
  before(async () => {
    const side = (app: string, rps: number) => ({ app, rps, failureShare: 0.002, deadlineShare: 0, memoryBytes: 1e8 });
    const history = springHistory([side('app', 30), side('app-primary', 70)], { from: t0 - 5 * 60_000, to: t0 + 60 * 60_000, stepMs: 5000, namespace: 'default' });
    prometheus = await startPrometheus({ backfill: history });
  });
  after(async () => {
    await prometheus?.stop();
  });

  async function running(t: Parameters<typeof memoryHarness>[0]): Promise<MemoryHarness> {
    const h = await memoryHarness(t, { metrics: createPrometheusMetrics({ url: prometheus!.url }) });
    await h.put('analysistemplates', { apiVersion: 'fledge.dev/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'spring' }, spec });
    await h.deploy('app', { annotations });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    await h.setImage('app', 'app:2.0');
    await h.runUntil('app', (s) => s.canaryWeight > 0 && (s.evidence?.intervals ?? 0) > 0);
    return h;
  }

  it('an edit mid-run applies to the next run: this one promotes on its pinned queries, the next one measures the edit', async (t) => {
    const h = await running(t);
    await h.edit('analysistemplates', 'spring', (o) => {
      o['spec'].counts.requests = `sum(increase(edited_requests_total{${sel}}[{{window}}]))`;
    });
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Succeeded', done.status.message);
    assert.ok((await h.events()).some((e) => e.reason === 'AnalysisTemplateChanged'));
    await h.setImage('app', 'app:3.0');
    const next = await h.runUntil('app', (s) => s.phase === 'Paused' || terminal(s));
    assert.equal(next.status.pausedBy, 'no-data', `the next run used the edited query, which Prometheus has no series for: ${next.status.message}`);
    assert.equal(next.status.analysis.source.generation, 2);
  });

  it('a delete mid-run holds the release with a message naming the template; no weight moves', async (t) => {
    const h = await running(t);
    const weights = h.writes.length;
    await h.remove('analysistemplates', 'spring');
    for (let i = 0; i < 4; i += 1) {
      await h.step('app');
      h.advance(30_000);
    }
    const canary = await h.canary('app');
    const valid = (canary.status.conditions as Array<Record<string, string>>).find((c) => c['type'] === 'ConfigValid');
    assert.equal(valid?.['status'], 'False');
    assert.match(valid?.['message'] ?? '', /AnalysisTemplate default\/spring \(generation 1\) was deleted during the run/);
    assert.equal(h.writes.length, weights);
  });
});
