// Analysis templates defined in the cluster, as reconcile sees them (the in-memory cluster):
// lookup namespace → cluster → built-in, the run pinned to the template it started with, bad
// templates and refused Prometheus addresses holding the release, extra count metrics and gauge
// checks deciding a rollback.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IntervalMeasurement, Sample } from '../../src/core/types.ts';
import type { MeasureRequest } from '../../src/ports.ts';
import { reconcileTemplate } from '../../src/controller/template-status.ts';
import { memoryHarness, type MemoryHarness } from '../support/release-harness.ts';
import { springTemplateSpec } from '../support/spring-exporter.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };
const terminal = (s: Record<string, any>): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';

/** A template for an app exporting its own http_server_requests_seconds histogram. */
function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return springTemplateSpec('5s', overrides);
}

/** `app` deployed with `annotations`, ready, and its revision app:2.0 under way with traffic on the canary. */
async function midRun(h: MemoryHarness, annotations: Record<string, string>): Promise<void> {
  await h.deploy('app', { annotations });
  await h.runUntil('app', (s) => s.phase === 'Ready');
  await h.setImage('app', 'app:2.0');
  await h.runUntil('app', (s) => s.phase === 'Progressing' && s.canaryWeight > 0);
}

async function putTemplate(h: MemoryHarness, name: string, body: Record<string, unknown>): Promise<void> {
  await h.put('analysistemplates', { apiVersion: 'fledge.dev/v1alpha1', kind: 'AnalysisTemplate', metadata: { name }, spec: body });
}

function putClusterTemplate(h: MemoryHarness, name: string, body: Record<string, unknown>): void {
  const call = { verb: 'create' as const, resource: 'clusteranalysistemplates', namespace: '', name };
  h.cluster.store.create('clusteranalysistemplates', call, { apiVersion: 'fledge.dev/v1alpha1', kind: 'ClusterAnalysisTemplate', metadata: { name }, spec: body });
}

function condition(status: Record<string, any>, type: string): Record<string, any> | undefined {
  return (status.conditions as Array<Record<string, any>>).find((c) => c.type === type);
}

/** Canary-side values added to every measurement with canary data (extra metrics, gauges). */
function withCanary(add: (request: MeasureRequest) => { extra?: Record<string, { events: number; requests?: number }>; gauges?: Record<string, number | null> }, primaryExtra: Record<string, { events: number }> = {}) {
  return (request: MeasureRequest, m: IntervalMeasurement): IntervalMeasurement => {
    const extend = (sample: Sample, more: object): Sample => (sample.kind === 'value' ? { kind: 'value', counts: { ...sample.counts, ...more } } : sample);
    return { ...m, canary: extend(m.canary, add(request)), primary: extend(m.primary, { extra: primaryExtra }) };
  };
}

describe('analysis templates in the cluster', () => {
  it('an app naming a namespaced AnalysisTemplate is measured with its queries; status records the object and generation', async (t) => {
    const h = await memoryHarness(t);
    await putTemplate(h, 'spring', spec());
    await h.deploy('app', { annotations: { ...fast, 'fledge.dev/analysis': 'spring', 'fledge.dev/interval': '10s', 'fledge.dev/bake': '30s' } });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    await h.setImage('app', 'app:2.0');
    const canary = await h.runUntil('app', terminal);
    assert.equal(canary.status.phase, 'Succeeded', canary.status.message);
    assert.match(h.measured.at(-1)?.template.counts.requests ?? '', /http_server_requests_seconds_count/);
    assert.deepEqual(canary.status.analysis.source, { kind: 'AnalysisTemplate', namespace: 'default', name: 'spring', generation: 1 });
    assert.equal(canary.spec.analysis, 'spring');
  });

  it('the namespace\'s template wins over the cluster\'s, which wins over the built-in of the same name', async (t) => {
    const h = await memoryHarness(t);
    putClusterTemplate(h, 'linkerd', spec({ description: 'the cluster one' }));
    await h.deploy('app', { annotations: fast });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    assert.equal((await h.canary('app')).status.analysis.source.kind, 'ClusterAnalysisTemplate');
    await putTemplate(h, 'linkerd', spec({ description: 'the namespace one' }));
    await h.step('app');
    assert.deepEqual((await h.canary('app')).status.analysis.source, { kind: 'AnalysisTemplate', namespace: 'default', name: 'linkerd', generation: 1 });
    h.cluster.store.delete('analysistemplates', 'default', 'linkerd');
    h.cluster.store.delete('clusteranalysistemplates', '', 'linkerd');
    await h.step('app');
    assert.deepEqual((await h.canary('app')).status.analysis.source, { kind: 'BuiltIn', namespace: null, name: 'linkerd', generation: 0 });
  });

  it('a broken template holds every app naming it (ConfigValid=False naming the template) and gets Ready=False with the zod message', async (t) => {
    const h = await memoryHarness(t);
    await putTemplate(h, 'spring', spec({ scrapeInterval: 'often', metircs: [] }));
    await h.deploy('app', { annotations: { ...fast, 'fledge.dev/analysis': 'spring' } });
    await h.step('app');
    const canary = await h.canary('app');
    const valid = condition(canary.status, 'ConfigValid');
    assert.equal(valid?.status, 'False');
    assert.equal(valid?.reason, 'InvalidAnalysisTemplate');
    assert.match(valid?.message, /AnalysisTemplate default\/spring \(generation 1\) is invalid: .*scrapeInterval/);
    assert.match(valid?.message, /metircs/);
    assert.equal(h.writes.length, 0, 'no traffic was routed');
    await reconcileTemplate(h.deps, { kind: 'AnalysisTemplate', namespace: 'default', name: 'spring' });
    const template = h.cluster.store.peek('analysistemplates', 'default', 'spring') as Record<string, any>;
    assert.equal(condition(template['status'], 'Ready')?.status, 'False');
    assert.match(condition(template['status'], 'Ready')?.message, /scrapeInterval: a duration such as 15s/);
    assert.ok((await h.events()).some((e) => e.reason === 'TemplateInvalid' && /default\/spring/.test(e.message ?? '')));
  });

  it('a valid template gets Ready=True; a query missing {{workload}} is refused naming the field', async (t) => {
    const h = await memoryHarness(t);
    await putTemplate(h, 'spring', spec());
    await putTemplate(h, 'global', spec({ metrics: [{ name: 'deadline', events: 'sum(increase(grpc_deadline_total[{{window}}]))' }] }));
    await reconcileTemplate(h.deps, { kind: 'AnalysisTemplate', namespace: 'default', name: 'spring' });
    await reconcileTemplate(h.deps, { kind: 'AnalysisTemplate', namespace: 'default', name: 'global' });
    const ready = (name: string): Record<string, any> | undefined => condition((h.cluster.store.peek('analysistemplates', 'default', name) as Record<string, any>)['status'], 'Ready');
    assert.equal(ready('spring')?.status, 'True');
    assert.equal(ready('global')?.status, 'False');
    assert.match(ready('global')?.message, /metrics\[0\]\.events: missing placeholder \{\{namespace\}\}/);
  });

  it('a template edited mid-run: the run keeps measuring the template it started with (also after a restart); one Event says the edit waits for the next run', async (t) => {
    const h = await memoryHarness(t);
    await putTemplate(h, 'spring', spec());
    await midRun(h, { ...fast, 'fledge.dev/analysis': 'spring' });
    await h.edit('analysistemplates', 'spring', (o) => {
      o['spec'].counts.requests = 'sum(increase(edited_total{namespace="{{namespace}}", app="{{workload}}"}[{{window}}]))';
    });
    h.restart();
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Succeeded', done.status.message);
    assert.ok(h.measured.length > 0 && h.measured.every((r) => !r.template.counts.requests.includes('edited_total')), 'every interval of the run used the pinned template');
    const changed = (await h.events()).filter((e) => e.reason === 'AnalysisTemplateChanged');
    assert.equal(changed.length, 1);
    assert.match(changed[0]?.message ?? '', /AnalysisTemplate default\/spring .*changed \(now generation 2\): this run keeps judging with the template as it started/);
    // The next run uses the edit.
    await h.setImage('app', 'app:3.0');
    await h.runUntil('app', (s) => s.phase === 'Progressing' && s.canaryWeight > 0);
    await h.runUntil('app', terminal);
    assert.match(h.measured.at(-1)?.template.counts.requests ?? '', /edited_total/);
    assert.equal((await h.canary('app')).status.analysis.source.generation, 2);
  });

  it('a run on a built-in keeps it when a template of the same name appears mid-run; the pin keeps no copy of a built-in\'s spec', async (t) => {
    const h = await memoryHarness(t);
    await midRun(h, fast);
    assert.deepEqual((await h.canary('app')).status.analysis.spec, {});
    await putTemplate(h, 'linkerd', spec());
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Succeeded', done.status.message);
    assert.ok(h.measured.every((r) => r.template.counts.requests.includes('response_total')), 'every interval used the built-in linkerd queries');
    assert.ok((await h.events()).some((e) => e.reason === 'AnalysisTemplateChanged' && /the analysis now resolves to AnalysisTemplate default\/linkerd \(generation 1\) \(was built-in analysis linkerd\)/.test(e.message ?? '')));
  });

  it('a template deleted mid-run holds the release, naming the template the run used; traffic does not move', async (t) => {
    const h = await memoryHarness(t);
    await putTemplate(h, 'spring', spec());
    await midRun(h, { ...fast, 'fledge.dev/analysis': 'spring' });
    const weights = h.writes.length;
    await h.remove('analysistemplates', 'spring');
    for (let i = 0; i < 5; i += 1) {
      await h.step('app');
      h.advance(30_000);
    }
    const canary = await h.canary('app');
    assert.equal(condition(canary.status, 'ConfigValid')?.status, 'False');
    assert.match(condition(canary.status, 'ConfigValid')?.message, /AnalysisTemplate default\/spring \(generation 1\) was deleted during the run/);
    assert.equal(h.writes.length, weights, 'no weight was written while held');
  });

  it('a template naming a Prometheus the allow-list refuses holds the app with PrometheusNotAllowed; an allowed one is queried with the Secret\'s token', async (t) => {
    const h = await memoryHarness(t, { prometheusAllowList: ['http://prometheus.team-a:9090'] });
    await putTemplate(h, 'elsewhere', spec({ prometheus: { address: 'http://10.0.0.7:9090' } }));
    await h.deploy('app', { annotations: { ...fast, 'fledge.dev/analysis': 'elsewhere' } });
    await h.step('app');
    const refused = condition((await h.canary('app')).status, 'ConfigValid');
    assert.equal(refused?.reason, 'PrometheusNotAllowed');
    assert.match(refused?.message, /analysis template elsewhere: its Prometheus http:\/\/10\.0\.0\.7:9090 is a private, loopback or link-local address that the allow-list does not name/);
    await reconcileTemplate(h.deps, { kind: 'AnalysisTemplate', namespace: 'default', name: 'elsewhere' });
    const ready = condition((h.cluster.store.peek('analysistemplates', 'default', 'elsewhere') as Record<string, any>)['status'], 'Ready');
    assert.deepEqual([ready?.status, ready?.reason], ['False', 'PrometheusNotAllowed'], 'the template says so in its own status too');

    await putTemplate(h, 'team', spec({ prometheus: { address: 'http://prometheus.team-a:9090/', secretRef: { name: 'prom', tokenKey: 'token' }, timeout: '2s' } }));
    await h.put('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'prom' }, data: { token: Buffer.from('s3cret').toString('base64') } });
    await h.deploy('team', { annotations: { ...fast, 'fledge.dev/analysis': 'team' } });
    await h.runUntil('team', (s) => s.phase === 'Ready');
    await h.setImage('team', 'team:2.0');
    await h.runUntil('team', (s) => s.canaryWeight > 0 && s.evidence?.intervals > 0);
    const asked = h.measured.at(-1);
    assert.deepEqual(asked?.prometheus, { url: 'http://prometheus.team-a:9090/', timeoutMs: 2000, bearerToken: 's3cret' });
  });

  it('a template Secret without the named key pauses the run (no decision on bad information), naming the Secret and key', async (t) => {
    const h = await memoryHarness(t, { prometheusAllowList: ['http://prometheus.team-a:9090'] });
    await putTemplate(h, 'team', spec({ prometheus: { address: 'http://prometheus.team-a:9090', secretRef: { name: 'prom', usernameKey: 'user', passwordKey: 'pass' } } }));
    await h.put('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'prom' }, data: { user: Buffer.from('me').toString('base64') } });
    await h.deploy('app', { annotations: { ...fast, 'fledge.dev/analysis': 'team' } });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    await h.setImage('app', 'app:2.0');
    const paused = await h.runUntil('app', (s) => s.phase === 'Paused');
    assert.equal(paused.status.pausedBy, 'metrics-unavailable');
    assert.match(paused.status.message, /Secret default\/prom of analysis template team has no \(or an empty\) key "pass"/);
    assert.doesNotMatch(paused.status.message, /bWU=|\bme\b/);
  });

  it('an extra count metric that only it sees rolls the canary back, and status.evidence shows it by name', async (t) => {
    const h = await memoryHarness(t);
    await putTemplate(h, 'grpc', spec({ metrics: [{ name: 'deadline-exceeded', events: 'sum(increase(grpc_server_handled_total{namespace="{{namespace}}", app="{{workload}}", grpc_code="DeadlineExceeded"}[{{window}}]))' }] }));
    await h.deploy('app', { annotations: { ...fast, 'fledge.dev/analysis': 'grpc' } });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    // Failures and slow requests as healthy as the primary's; 20% of the canary's calls exceed their deadline, 0.5% of the primary's.
    h.script = {
      ...h.script,
      decorate: withCanary(() => ({ extra: { 'deadline-exceeded': { events: 30 } } }), { 'deadline-exceeded': { events: 7 } }),
    };
    await h.setImage('app', 'app:2.0');
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Failed');
    assert.match(done.status.message, /deadline-exceeded: the canary counted [\d.]+% of [\d,]+ against the primary's [\d.]+%/);
    assert.deepEqual(done.status.evidence.metrics.map((m: { name: string }) => m.name), ['errors', 'latency', 'deadline-exceeded']);
  });

  it('a gauge check broken 2 intervals in a row rolls back; one broken interval does not', async (t) => {
    const h = await memoryHarness(t);
    await putTemplate(h, 'mem', spec({ checks: [{ name: 'memory', query: 'max(container_memory_working_set_bytes{namespace="{{namespace}}", pod=~"{{workload}}-.*"})', max: 512e6, for: 2 }] }));
    await h.deploy('app', { annotations: { ...fast, 'fledge.dev/analysis': 'mem', 'fledge.dev/steps': '10,20,30,40,50' } });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    let looks = 0;
    h.script = { ...h.script, decorate: withCanary(() => ({ gauges: { memory: (looks += 1) === 1 || looks >= 3 ? 600e6 : 100e6 } })) };
    await h.setImage('app', 'app:2.0');
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Failed');
    assert.match(done.status.message, /check memory: canary 600000000 above max 512000000 for 2 interval\(s\) in a row \(limit 2\)/);
    assert.equal(looks, 4, 'one broken look, a good one, then two broken in a row');
  });

  it('a gauge check without data pauses the run instead of deciding', async (t) => {
    const h = await memoryHarness(t);
    await putTemplate(h, 'cpu', spec({ checks: [{ name: 'cpu', query: 'sum(rate(container_cpu_usage_seconds_total{namespace="{{namespace}}", pod=~"{{workload}}-.*"}[{{window}}]))', max: 2 }] }));
    await h.deploy('app', { annotations: { ...fast, 'fledge.dev/analysis': 'cpu' } });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    h.script = { ...h.script, decorate: withCanary(() => ({ gauges: { cpu: null } })) };
    await h.setImage('app', 'app:2.0');
    const paused = await h.runUntil('app', (s) => s.phase === 'Paused');
    assert.equal(paused.status.pausedBy, 'no-data');
    assert.match(paused.status.message, /check cpu: no data for the canary/);
  });
});
