import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations } from '../../src/config/annotations.ts';
import { canarySpecSchema, toCanarySpec, type CanaryConfig } from '../../src/config/canary-config.ts';
import { loadCatalog, type Catalog } from '../../src/config/catalog.ts';
import type { ReleasePolicy } from '../../src/core/types.ts';

let catalog: Catalog;
before(async () => {
  catalog = await loadCatalog();
});

function configOf(annotations: Record<string, string>): CanaryConfig {
  const result = parseAnnotations({ 'fledge.dev/canary': 'true', ...annotations }, catalog);
  assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
  return result.config;
}

test('one annotation gives the full default policy: canary strategy, linkerd analysis, sequential judge', () => {
  const config = configOf({});
  const expected: ReleasePolicy = {
    steps: [10, 20, 30, 40, 50],
    bakeMs: 60_000,
    intervalMs: 60_000,
    metricsLagMs: 20_000,
    lookMs: 20_000,
    promotion: 'schedule',
    pauseBeforeEachStep: false,
    manualGate: false,
    progressDeadlineMs: 600_000,
    pauseLimitMs: 1_800_000,
    onNoData: 'rollback',
    gateTimeoutMs: null,
    window: null,
    judge: {
      kind: 'sequential',
      metrics: [
        { name: 'errors', event: 'failures', sloRate: 0.01, rMax: 2 },
        { name: 'latency', event: 'slow', sloRate: 0.01, rMax: 1.5 },
      ],
      alpha: 0.05,
      beta: 0.05,
      catastropheRatio: 0.2,
      catastropheMinRequests: 20,
      noDataIntervals: 3,
      maxFailedChecks: 5,
      successRateMin: 99,
      latencyP99MaxMs: 500,
    },
    hooks: { configured: [], rolloutFailureLimit: 3, confirmTimeoutMs: 3_600_000, confirmPollMs: 60_000 },
  };
  assert.deepEqual(config.policy, expected);
  assert.equal(config.enabled, true);
  assert.equal(config.strategy, 'canary');
  assert.equal(config.analysis, catalog.analysis.get('linkerd'));
  assert.equal(config.latencyEdgeMs, 500);
  assert.equal(config.router, 'smi-v1alpha2');
});

test('the errors metric allows exactly the failures the success-rate SLO allows', () => {
  assert.equal(configOf({ 'fledge.dev/success-rate-min': '99.5' }).policy.judge.metrics[0]?.sloRate, 0.005);
  assert.equal(configOf({ 'fledge.dev/success-rate-min': '95%' }).policy.judge.metrics[0]?.sloRate, 0.05);
});

test('the latency knob sets both the slow-request edge and the SLO shown to people', () => {
  const config = configOf({ 'fledge.dev/latency-p99-max': '1s' });
  assert.equal(config.latencyEdgeMs, 1000);
  assert.equal(config.policy.judge.latencyP99MaxMs, 1000);
  assert.equal(config.policy.judge.metrics[1]?.sloRate, 0.01);
});

test("a strategy supplies steps, timing and promotion; single annotations override only their own part", () => {
  const progressive = configOf({ 'fledge.dev/strategy': 'progressive' });
  assert.deepEqual(progressive.policy.steps, [5, 10, 25, 50]);
  assert.equal(progressive.policy.promotion, 'evidence');
  assert.equal(progressive.policy.bakeMs, 120_000);
  const tuned = configOf({ 'fledge.dev/strategy': 'progressive', 'fledge.dev/steps': '20,40', 'fledge.dev/promotion': 'schedule' });
  assert.deepEqual(tuned.policy.steps, [20, 40]);
  assert.equal(tuned.policy.promotion, 'schedule');
  assert.equal(tuned.policy.bakeMs, 120_000);
  assert.equal(configOf({ 'fledge.dev/strategy': 'manual' }).policy.pauseBeforeEachStep, true);
  assert.deepEqual(configOf({ 'fledge.dev/strategy': 'blue-green' }).policy.steps, [0]);
});

test('metrics are read two scrape intervals of the chosen template after an interval ends', () => {
  assert.equal(configOf({ 'fledge.dev/analysis': 'linkerd' }).policy.metricsLagMs, 20_000);
  assert.equal(configOf({ 'fledge.dev/analysis': 'istio' }).policy.metricsLagMs, 30_000);
});

test('the sequential judge looks every 2 scrapes of the template; the threshold judge once per interval', () => {
  assert.equal(configOf({ 'fledge.dev/analysis': 'istio' }).policy.lookMs, 30_000);
  assert.equal(configOf({ 'fledge.dev/analysis': 'istio', 'fledge.dev/interval': '2m', 'fledge.dev/bake': '2m' }).policy.lookMs, 30_000);
  assert.equal(configOf({ 'fledge.dev/analysis': 'istio', 'fledge.dev/interval': '30s' }).policy.lookMs, 30_000);
  assert.equal(configOf({ 'fledge.dev/analysis': 'istio', 'fledge.dev/judge': 'threshold', 'fledge.dev/interval': '2m', 'fledge.dev/bake': '2m' }).policy.lookMs, 120_000);
});

test('a window is read in UTC unless a time zone is given; a time zone alone sets no window', () => {
  assert.deepEqual(configOf({ 'fledge.dev/window': '* 9-16 * * 1-5' }).policy.window, { cron: '* 9-16 * * 1-5', timezone: 'UTC' });
  assert.equal(configOf({ 'fledge.dev/window-timezone': 'Europe/Berlin' }).policy.window, null);
});

test('every shipped strategy works with every shipped analysis template', () => {
  for (const strategy of catalog.strategies.keys()) {
    for (const analysis of catalog.analysis.keys()) {
      const result = parseAnnotations({ 'fledge.dev/strategy': strategy, 'fledge.dev/analysis': analysis }, catalog);
      assert.ok(result.ok, `${strategy} + ${analysis}: ${result.ok ? '' : result.issues.map((i) => i.message).join('; ')}`);
    }
  }
});

test('the Canary spec shows the resolved configuration in human units, JSON-safe, with webhooks redacted', () => {
  const config = configOf({
    'fledge.dev/interval': '30s',
    'fledge.dev/bake': '1m30s',
    'fledge.dev/webhooks': 'https://hooks.example.com/services/T/B/secret,http://ci.example.com',
    'fledge.dev/track': 'configmap/app-config',
    'fledge.dev/window': '0-59 9-16 * * 1-5',
    'fledge.dev/window-timezone': 'Europe/Berlin',
  });
  const spec = toCanarySpec(config);
  assert.equal(spec.interval, '30s');
  assert.equal(spec.bake, '1m30s');
  assert.equal(spec.progressDeadline, '10m');
  assert.equal(spec.metricsLag, '20s');
  assert.equal(spec.look, '20s');
  assert.equal(spec.analysis, 'linkerd');
  assert.deepEqual(spec.webhooks, ['https://hooks.example.com/…', 'http://ci.example.com']);
  assert.deepEqual(spec.track, { fromPodTemplate: false, refs: [{ kind: 'ConfigMap', name: 'app-config' }] });
  assert.deepEqual(spec.window, { cron: '0-59 9-16 * * 1-5', timezone: 'Europe/Berlin' });
  assert.doesNotMatch(JSON.stringify(spec), /secret/);
  assert.deepEqual(canarySpecSchema.parse(JSON.parse(JSON.stringify(spec))), spec);
  assert.deepEqual(toCanarySpec(configOf({})).track, { fromPodTemplate: true, refs: [] });
});
