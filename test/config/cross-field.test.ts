import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations, summarizeIssues, type ConfigIssue } from '../../src/config/annotations.ts';
import { loadCatalog, type Catalog } from '../../src/config/catalog.ts';

let catalog: Catalog;
before(async () => {
  catalog = await loadCatalog();
});

function issuesOf(annotations: Record<string, string>): ConfigIssue[] {
  const result = parseAnnotations({ 'fledge.dev/canary': 'true', ...annotations }, catalog);
  return result.ok ? [] : [...result.issues];
}

function only(annotations: Record<string, string>): ConfigIssue {
  const issues = issuesOf(annotations);
  assert.equal(issues.length, 1, issues.map((i) => i.message).join('\n') || 'no issue');
  return issues[0]!;
}

test('a bake time shorter than the interval is refused on the bake', () => {
  const issue = only({ 'fledge.dev/interval': '2m', 'fledge.dev/bake': '1m' });
  assert.equal(issue.message, 'fledge.dev/bake: "1m" is shorter than the interval (2m): allowed is a duration no shorter than the interval, such as 2m');
});

test("an interval longer than the strategy's bake time is refused on the interval, naming the strategy", () => {
  const issue = only({ 'fledge.dev/interval': '5m' });
  assert.equal(issue.key, 'fledge.dev/interval');
  assert.match(issue.message, /"5m" is longer than the bake time \(1m, from strategy canary\)/);
  assert.match(issue.message, /or set fledge\.dev\/bake as well/);
});

test('an interval shorter than two scrapes of the analysis template is refused (it would never see data)', () => {
  const issue = only({ 'fledge.dev/interval': '20s', 'fledge.dev/analysis': 'istio' });
  assert.equal(issue.message, 'fledge.dev/interval: "20s" is too short for analysis istio, which is scraped every 15s (an interval needs two scrapes): allowed is a duration of at least 30s with this template');
  assert.equal(issuesOf({ 'fledge.dev/interval': '20s', 'fledge.dev/analysis': 'linkerd' }).length, 0);
});

test('a progress deadline shorter than two intervals is refused, even when it is the default', () => {
  const issue = only({ 'fledge.dev/interval': '10m', 'fledge.dev/bake': '10m' });
  assert.equal(issue.key, 'fledge.dev/progress-deadline');
  assert.equal(issue.value, '10m');
  assert.match(issue.detail, /^shorter than twice the interval \(2 × 10m\): allowed is a duration of at least 20m/);
  assert.equal(issuesOf({ 'fledge.dev/interval': '10m', 'fledge.dev/bake': '10m', 'fledge.dev/progress-deadline': '20m' }).length, 0);
});

test('evidence promotion without any traffic to the canary is refused on whichever knob asked for it', () => {
  const onPromotion = only({ 'fledge.dev/strategy': 'blue-green', 'fledge.dev/promotion': 'evidence' });
  assert.equal(onPromotion.key, 'fledge.dev/promotion');
  assert.match(onPromotion.detail, /no traffic reaches the canary/);
  const onSteps = only({ 'fledge.dev/strategy': 'progressive', 'fledge.dev/steps': '0' });
  assert.equal(onSteps.key, 'fledge.dev/steps');
  assert.match(onSteps.detail, /evidence promotion needs/);
  assert.equal(issuesOf({ 'fledge.dev/strategy': 'blue-green' }).length, 0);
});

test('a latency edge that is not a bucket of the template is refused, listing the buckets', () => {
  const issue = only({ 'fledge.dev/latency-p99-max': '250' });
  assert.match(issue.message, /^fledge\.dev\/latency-p99-max: "250" is not a bucket edge of analysis linkerd's latency histogram/);
  assert.match(issue.message, /allowed is one of 1, 2, 3, .*500, 1000, .* \(ms\)$/);
  assert.equal(issuesOf({ 'fledge.dev/latency-p99-max': '250', 'fledge.dev/analysis': 'istio' }).length, 0);
  assert.equal(issuesOf({ 'fledge.dev/latency-p99-max': '300', 'fledge.dev/analysis': 'generic' }).length, 0);
});

test('switching to a template without the default latency edge blames the edge, showing the default', () => {
  const template = catalog.analysis.get('istio')!;
  const custom: Catalog = { ...catalog, analysis: new Map([...catalog.analysis, ['istio', { ...template, latencyBucketsMs: [100, 1000] }]]) };
  const result = parseAnnotations({ 'fledge.dev/analysis': 'istio' }, custom);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.issues.map((i) => [i.key, i.value]), [['fledge.dev/latency-p99-max', '500']]);
});

test('a value refused on its own is not reported again by the rules that involve it', () => {
  const issues = issuesOf({ 'fledge.dev/interval': 'soon', 'fledge.dev/bake': '30s' });
  assert.deepEqual(issues.map((i) => i.key), ['fledge.dev/interval']);
});

test('an unknown strategy or analysis names the known ones and the nearest', () => {
  const strategy = only({ 'fledge.dev/strategy': 'progresive' });
  assert.equal(strategy.message, 'fledge.dev/strategy: "progresive" is not a known strategy (did you mean progressive?): allowed is one of blue-green, canary, exponential, manual, progressive (the files in strategies/)');
  const analysis = only({ 'fledge.dev/analysis': 'prometheus' });
  assert.equal(analysis.message, 'fledge.dev/analysis: "prometheus" is not a known analysis: no AnalysisTemplate in the app\'s namespace, no ClusterAnalysisTemplate, no built-in: allowed is an AnalysisTemplate, a ClusterAnalysisTemplate, or one of generic, istio, linkerd (the files in analysis/)');
});

test('an unknown fledge.dev key is an error that suggests the nearest knob and lists them all', () => {
  const issue = only({ 'fledge.dev/intervall': '30s' });
  assert.equal(issue.key, 'fledge.dev/intervall');
  assert.equal(issue.value, '30s');
  assert.match(issue.message, /^fledge\.dev\/intervall: "30s" is not a known annotation \(did you mean fledge\.dev\/interval\?\): allowed is one of fledge\.dev\/canary, /);
  assert.match(issue.message, /fledge\.dev\/router, fledge\.dev\/gateway, fledge\.dev\/hostnames, fledge\.dev\/match$/);
  const far = only({ 'fledge.dev/colour': 'blue' });
  assert.doesNotMatch(far.message, /did you mean/);
  assert.match(only({ 'fledge.dev/Canary': 'true' }).message, /did you mean fledge\.dev\/canary\?/);
});

test('annotations of other tools and the reserved request key are left alone', () => {
  assert.deepEqual(issuesOf({
    'deployment.kubernetes.io/revision': '3',
    'kubectl.kubernetes.io/last-applied-configuration': '{}',
    'fledge.dev/request': '{"id":"1","verb":"promote"}',
  }), []);
});

test('every bad knob is reported at once, one message each', () => {
  const issues = issuesOf({
    'fledge.dev/interval': '3s',
    'fledge.dev/alpha': '2',
    'fledge.dev/judge': 'bayes',
    'fledge.dev/stpes': '5,10',
  });
  assert.deepEqual(issues.map((i) => i.key).sort(), ['fledge.dev/alpha', 'fledge.dev/interval', 'fledge.dev/judge', 'fledge.dev/stpes']);
  assert.equal(issues.find((i) => i.key === 'fledge.dev/interval')?.message,
    'fledge.dev/interval: "3s" is too short: allowed is a duration of at least 5s, such as 30s or 1m');
  const summary = summarizeIssues(issues, 4000); // the unknown key's message lists every knob
  for (const issue of issues) assert.ok(summary.includes(issue.message));
  assert.equal(summarizeIssues(issues, 40).length, 40);
});

test('a Deployment without fledge.dev/canary still has its knobs checked, and parses as disabled', () => {
  const off = parseAnnotations({ 'fledge.dev/strategy': 'manual' }, catalog);
  assert.ok(off.ok);
  assert.equal(off.config.enabled, false);
  const bad = parseAnnotations({ 'fledge.dev/strategy': 'nope' }, catalog);
  assert.equal(bad.ok, false);
  assert.ok(parseAnnotations({}, catalog).ok);
});

test('values are read with surrounding whitespace trimmed', () => {
  const result = parseAnnotations({ 'fledge.dev/canary': ' true\n', 'fledge.dev/interval': ' 30s ' }, catalog);
  assert.ok(result.ok);
  assert.equal(result.config.policy.intervalMs, 30_000);
});

test('a request match with an SMI router is refused on the match, saying why SMI cannot do it', () => {
  const issue = only({ 'fledge.dev/match': 'header:x-beta=1' });
  assert.equal(issue.key, 'fledge.dev/match');
  assert.match(issue.message, /^fledge\.dev\/match: "header:x-beta=1" is only for the gateway-api router: .*Linkerd does not implement SMI HTTPRouteGroup matches.*fledge\.dev\/router is smi-v1alpha2: allowed is .*set fledge\.dev\/router: gateway-api$/);
  assert.deepEqual(issuesOf({ 'fledge.dev/match': 'header:x-beta=1', 'fledge.dev/router': 'gateway-api' }), []);
});

test('a Gateway with an SMI router, and hostnames without a Gateway, are refused', () => {
  assert.match(only({ 'fledge.dev/gateway': 'infra/public' }).message, /^fledge\.dev\/gateway: "infra\/public" is only for the gateway-api router: a TrafficSplit has no parent Gateway/);
  const hostnames = only({ 'fledge.dev/router': 'gateway-api', 'fledge.dev/hostnames': 'shop.example.com' });
  assert.match(hostnames.message, /^fledge\.dev\/hostnames: "shop\.example\.com" is set without fledge\.dev\/gateway/);
  assert.deepEqual(issuesOf({ 'fledge.dev/router': 'gateway-api', 'fledge.dev/gateway': 'infra/public:https', 'fledge.dev/hostnames': 'shop.example.com' }), []);
});
