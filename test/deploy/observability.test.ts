// The Grafana dashboard and the Prometheus alert rules: valid PromQL for the real promtool,
// alert behaviour pinned by promtool unit tests, and only metrics and labels that exist: the
// controller's as its /metrics listener serves them, the mesh's from Linkerd's documented metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startProbes, telemetryOf, type Probes } from '../../src/controller/probes.ts';
import { namesOf } from '../../src/controller/names.ts';
import { root } from './support.ts';

const promtool = '/usr/bin/promtool';
const noPromtool = existsSync(promtool) ? false : 'promtool not installed: apt-get install -y prometheus';
if (noPromtool !== false) console.error(`\n*** ${noPromtool} — the PromQL checks of deploy/ are SKIPPED ***\n`);

interface Panel { title: string; type: string; id: number; gridPos: { x: number; w: number }; targets?: Array<{ expr: string; datasource?: unknown }> }
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/fledge.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; definition?: string }> };
};
const alertsFile = join(root, 'deploy/prometheus/alerts.yaml');
const alerts = parse(readFileSync(alertsFile, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };

/** Grafana's variables as Prometheus would see them once Grafana filled them in. */
function filled(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', '.*').replaceAll('$app', 'web').replaceAll('$slow', '500');
}

const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => filled(t.expr)));
/** label_values(SELECTOR, label) → SELECTOR, which must itself be valid PromQL. */
const variableExprs = dashboard.templating.list.flatMap((v) => {
  const match = /^label_values\((.*), (\w+)\)$/.exec(v.definition ?? '');
  return match === null ? [] : [filled(match[1]!)];
});
const alertExprs = alerts.groups.flatMap((g) => g.rules.map((r) => r.expr));

type Catalogue = Map<string, Set<string>>;

/** Metric name → label names, from an exposition: histograms add _bucket (with le), _sum and _count. */
function parseExposition(body: string): Catalogue {
  const names: Catalogue = new Map();
  const types = new Map([...body.matchAll(/^# TYPE (\w+) (\w+)$/gm)].map((m) => [m[1]!, m[2]!]));
  for (const [name, type] of types) {
    const series = type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => `${name}${suffix}`) : [name];
    for (const s of series) names.set(s, new Set());
  }
  for (const [, name, labels] of body.matchAll(/^(\w+)\{([^}]*)\}/gm)) {
    for (const [, label] of labels!.matchAll(/(\w+)="/g)) names.get(name!)?.add(label!);
  }
  return names;
}

/** The controller's /metrics as a running controller serves it, once every telemetry event fired. */
async function scrapeController(probes: Probes): Promise<Catalogue> {
  const telemetry = telemetryOf(probes.metrics);
  const names = namesOf('shop', 'web');
  telemetry.canary(names, 'Progressing', 10);
  telemetry.evidence?.(names, [{ metric: 'failures', harm: 1, safe: 1 }]);
  telemetry.verdict('continue');
  telemetry.reconciled?.(12);
  telemetry.failed?.('FLEDGE_API_CONFLICT');
  telemetry.apiError?.('FLEDGE_API_CONFLICT');
  telemetry.released?.(names, { outcome: 'promoted', seconds: 600 });
  telemetry.hookAnswer?.('rollout', false);
  probes.metrics.setLeader(true);
  const response = await fetch(`${probes.metricsUrl}/metrics`);
  assert.equal(response.status, 200);
  return parseExposition(await response.text());
}

const mesh: Catalogue = new Map(Object.entries(parse(readFileSync(join(root, 'test/deploy/fixtures/linkerd-metrics.yaml'), 'utf8')) as Record<string, string[]>)
  .map(([name, labels]) => [name, new Set(labels)]));

/** Every `name{…}` selector of an expression, with the labels it matches on. */
function selectors(expr: string): Array<{ name: string; labels: string[] }> {
  return [...expr.matchAll(/\b([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)].map((m) => ({ name: m[1]!, labels: [...m[2]!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)\s*"/g)].map((l) => l[1]!) }));
}

function checkWithPromtool(exprs: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-promql-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'checked', rules: exprs.map((expr, i) => ({ record: `fledge:checked_${i}`, expr })) }] }));
    return execFileSync(promtool, ['check', 'rules', file], { encoding: 'utf8', timeout: 20_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Grafana dashboard and the alert rules', () => {
  let probes: Probes | undefined;
  let controller: Catalogue = new Map();
  before(async () => {
    probes = await startProbes({ healthAddr: '127.0.0.1:0', metricsAddr: '127.0.0.1:0', readiness: () => ({ cachesSynced: true, election: 'disabled' }) });
    controller = await scrapeController(probes);
  });
  after(async () => {
    await probes?.close();
  });
  // Labels Prometheus adds to every scraped series.
  const scrapeLabels = ['job', 'instance'];

  test('the controller serves the standard process and Node.js metrics, its build and its releases', () => {
    for (const name of ['process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'fledge_build_info', 'fledge_release_outcomes_total', 'fledge_release_duration_seconds_bucket']) {
      assert.ok(controller.has(name), `${name} is served`);
    }
    assert.deepEqual([...controller.get('fledge_build_info') ?? []].sort(), ['node', 'version']);
    assert.deepEqual([...controller.get('fledge_release_outcomes_total') ?? []].sort(), ['app', 'namespace', 'outcome']);
    assert.ok(![...controller.keys()].some((name) => name.startsWith('fledge_process_') || name.startsWith('fledge_nodejs_')));
  });

  test('every query reads only metrics that exist (the controller\'s, Linkerd\'s, up) and only their labels', () => {
    const known = new Map([...controller, ...mesh, ['up', new Set<string>()]]);
    for (const expr of [...dashboardExprs, ...variableExprs, ...alertExprs]) {
      const used = selectors(expr);
      assert.ok(used.length > 0, `${expr} reads a metric`);
      const labels = new Set(scrapeLabels);
      for (const { name, labels: matched } of used) {
        const own = known.get(name);
        assert.ok(own !== undefined, `${name} (in ${expr}) is served by the controller's /metrics or is a Linkerd metric`);
        for (const label of matched) assert.ok(scrapeLabels.includes(label) || own.has(label), `${name} has label ${label} (in ${expr}); it has ${[...own].join(', ')}`);
        for (const label of own) labels.add(label);
      }
      for (const name of expr.match(/\bfledge_\w+/g) ?? []) assert.ok(controller.has(name), `${name} (in ${expr}) is served`);
      const grouped = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));
      for (const label of grouped) assert.ok(labels.has(label), `label ${label} in ${expr} is one of ${[...labels].join(', ')}`);
    }
  });

  test('per release, canary and primary side by side: request, failure and slow rates from Linkerd, and the weight', () => {
    const release = dashboard.panels.filter((p) => (p.targets ?? []).some((t) => t.expr.includes('deployment=~"$app|$app-primary"')));
    const exprs = release.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    assert.ok(release.length >= 3, `${release.length} panels compare canary and primary`);
    for (const needle of ['rate(response_total{', 'classification="failure"', 'response_latency_ms_bucket{', 'le="$slow"', 'response_latency_ms_count{']) assert.ok(exprs.includes(needle), needle);
    for (const panel of release) assert.ok((panel.targets ?? []).every((t) => /sum by \(deployment\)/.test(t.expr)), `${panel.title} shows one series per Deployment`);
    assert.ok(dashboardExprs.some((e) => e.includes('fledge_canary_weight') && e.includes('name=~"web"')), 'the weight of the selected app');
    assert.ok(dashboard.templating.list.some((v) => v.name === 'app'));
  });

  test('the dashboard shows phases, weights, analysis and release outcomes, release durations, both kinds of evidence, reconcile latency and the build', () => {
    const all = dashboardExprs.join('\n');
    for (const needle of ['fledge_canaries', 'fledge_canary_weight', 'fledge_analysis_outcomes_total', 'kind="harm"', 'kind="safe"', 'fledge_reconcile_duration_seconds_bucket', 'fledge_reconcile_errors_total', 'fledge_release_outcomes_total', 'fledge_release_duration_seconds_bucket', 'fledge_build_info']) {
      assert.ok(all.includes(needle), `a panel reads ${needle}`);
    }
    assert.equal(dashboard.uid, 'fledge');
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    for (const panel of dashboard.panels) {
      assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the 24-column grid`);
      for (const target of panel.targets ?? []) assert.deepEqual(target.datasource, { type: 'prometheus', uid: '${datasource}' });
    }
  });

  test('the alert rules cover a controller that is down, reconcile errors, stuck canaries and rollbacks', () => {
    const names = alerts.groups.flatMap((g) => g.rules.map((r) => r.alert));
    for (const name of ['FledgeControllerDown', 'FledgeReconcileErrors', 'FledgeCanaryStuck', 'FledgeCanaryRolledBack']) assert.ok(names.includes(name), name);
  });

  test('every dashboard query and variable is valid PromQL for promtool', { skip: noPromtool }, () => {
    assert.match(checkWithPromtool([...dashboardExprs, ...variableExprs]), new RegExp(`SUCCESS: ${dashboardExprs.length + variableExprs.length} rules found`));
  });

  test('promtool accepts the alert rules and their unit tests pass (down, leaders, errors, stuck, paused, rollbacks)', { skip: noPromtool }, () => {
    assert.match(execFileSync(promtool, ['check', 'rules', alertsFile], { encoding: 'utf8', timeout: 20_000 }), /SUCCESS: 9 rules found/);
    const output = execFileSync(promtool, ['test', 'rules', join(root, 'test/deploy/fixtures/alerts.test.yaml')], { encoding: 'utf8', timeout: 20_000 });
    assert.match(output, /SUCCESS/);
  });
});
