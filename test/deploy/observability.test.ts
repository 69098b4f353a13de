// The Grafana dashboard and the Prometheus alert rules: valid PromQL for the real promtool,
// alert behaviour pinned by promtool unit tests, and only metrics and labels the controller exports.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ControllerMetrics } from '../../src/controller/metrics.ts';
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
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', '.*').replaceAll('$canary', '.*');
}

const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => filled(t.expr)));
/** label_values(SELECTOR, label) → SELECTOR, which must itself be valid PromQL. */
const variableExprs = dashboard.templating.list.flatMap((v) => {
  const match = /^label_values\((.*), (\w+)\)$/.exec(v.definition ?? '');
  return match === null ? [] : [filled(match[1]!)];
});
const alertExprs = alerts.groups.flatMap((g) => g.rules.map((r) => r.expr));

/** Metric name → its label names, as the controller registers them. */
function exported(): Map<string, Set<string>> {
  const metrics = new ControllerMetrics();
  const names = new Map<string, Set<string>>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, labelNames } = metric as unknown as { name: string; labelNames: string[] };
    const labels = new Set(labelNames);
    names.set(name, labels);
    if ((metric as unknown as { type?: string }).type === 'histogram' || name.endsWith('_seconds')) {
      for (const suffix of ['_bucket', '_sum', '_count']) names.set(`${name}${suffix}`, new Set([...labels, 'le']));
    }
  }
  return names;
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
  const metrics = exported();
  // Labels Prometheus adds to every scraped series.
  const scrapeLabels = new Set(['job', 'instance']);

  test('use only metrics the controller exports, and only labels those metrics have', () => {
    for (const expr of [...dashboardExprs, ...variableExprs, ...alertExprs]) {
      const used = [...expr.matchAll(/\bfledge_[a-z_]+\b/g)].map((m) => m[0]);
      assert.ok(used.length > 0 || /\bup\{/.test(expr), `${expr} reads a Fledge metric`);
      const labels = new Set(scrapeLabels);
      for (const name of used) {
        assert.ok(metrics.has(name), `${name} (in ${expr}) is exported by ControllerMetrics; exported: ${[...metrics.keys()].join(', ')}`);
        for (const label of metrics.get(name) ?? []) labels.add(label);
      }
      if (used.length === 0) continue;
      const matched = [...expr.matchAll(/(\w+)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1]!);
      const grouped = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));
      const named = [...matched, ...grouped];
      for (const label of named) assert.ok(labels.has(label), `label ${label} in ${expr} is one of ${[...labels].join(', ')}`);
    }
  });

  test('the dashboard shows phases, weights, analysis outcomes, both kinds of evidence and reconcile latency', () => {
    const all = dashboardExprs.join('\n');
    for (const needle of ['fledge_canaries', 'fledge_canary_weight', 'fledge_analysis_outcomes_total', 'kind="harm"', 'kind="safe"', 'fledge_reconcile_duration_seconds_bucket', 'fledge_reconcile_errors_total']) {
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
    assert.match(execFileSync(promtool, ['check', 'rules', alertsFile], { encoding: 'utf8', timeout: 20_000 }), /SUCCESS: 8 rules found/);
    const output = execFileSync(promtool, ['test', 'rules', join(root, 'test/deploy/fixtures/alerts.test.yaml')], { encoding: 'utf8', timeout: 20_000 });
    assert.match(output, /SUCCESS/);
  });
});
