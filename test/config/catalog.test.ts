import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisTemplate } from '../../src/config/analysis-schema.ts';
import { defaultCatalogDirs, loadCatalog } from '../../src/config/catalog.ts';
import { renderQuery } from '../../src/core/render-query.ts';
import { isFledgeError } from '../../src/errors.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/config');
const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort();

test('the default catalog is found next to the code, whatever the working directory', () => {
  assert.deepEqual(defaultCatalogDirs(), { analysis: join(root, 'analysis'), strategies: join(root, 'strategies') });
});

test('every file in analysis/ and strategies/ loads, keyed by its file name', async () => {
  const catalog = await loadCatalog();
  const dirs = defaultCatalogDirs();
  assert.deepEqual([...catalog.analysis.keys()].sort(), yamlFiles(dirs.analysis).map((f) => basename(f, '.yaml')));
  assert.deepEqual([...catalog.strategies.keys()].sort(), yamlFiles(dirs.strategies).map((f) => basename(f, '.yaml')));
  for (const required of ['linkerd', 'istio', 'generic']) assert.ok(catalog.analysis.has(required), required);
  for (const required of ['canary', 'progressive', 'exponential', 'blue-green', 'manual']) assert.ok(catalog.strategies.has(required), required);
});

test('every analysis query counts over the window for one workload in one namespace', async () => {
  const catalog = await loadCatalog();
  for (const template of catalog.analysis.values()) {
    const queries = { ...template.counts, ...template.display };
    for (const [field, query] of Object.entries(queries)) {
      for (const placeholder of ['{{namespace}}', '{{workload}}', '{{window}}']) {
        assert.ok(query.includes(placeholder), `${template.name} ${field} lacks ${placeholder}`);
      }
      assert.match(query, /increase\(/, `${template.name} ${field}: counts use increase() (robust to counter resets)`);
      assert.doesNotMatch(query, /\brate\(/, `${template.name} ${field}`);
    }
    assert.match(template.counts.slow, /\{\{latencyEdge(Seconds)?\}\}/, `${template.name} slow lacks the edge`);
    assert.match(template.counts.slow, /^sum\(increase\([a-z_]+_count\{.*\)\)\s*-\s*sum\(increase\([a-z_]+_bucket\{.*le=~?"\{\{latencyEdge(Seconds)?\}\}/,
      `${template.name}: slow = _count minus _bucket at the edge`);
    for (const field of ['requests', 'failures', 'slow'] as const) assert.match(template.counts[field], /^sum\(/, `${template.name} ${field} sums over pods`);
    assert.doesNotMatch(template.counts.failures, /4\.\.|4xx/, `${template.name}: 4xx are not failures`);
  }
});

test('every batched analysis query counts over the window for all workloads at once, by the labels it names', async () => {
  const catalog = await loadCatalog();
  for (const template of catalog.analysis.values()) {
    const batch = template.batch;
    assert.ok(batch !== undefined, `${template.name} has a batched form`);
    const by = `${batch.by.namespace}, ${batch.by.workload}`;
    for (const [field, query] of Object.entries({ ...batch.counts, p99: batch.p99 })) {
      assert.ok(query.includes('{{window}}'), `${template.name} batch ${field} lacks {{window}}`);
      assert.doesNotMatch(query, /\{\{\s*(namespace|workload)\s*\}\}/, `${template.name} batch ${field} names one workload`);
      assert.match(query, /increase\(/, `${template.name} batch ${field}`);
    }
    for (const field of ['requests', 'failures', 'slow'] as const) assert.ok(batch.counts[field].startsWith(`sum by (${by}) (`), `${template.name} batch ${field} sums by ${by}`);
    assert.ok(batch.p99.includes(`sum by (le, ${by}) (`), `${template.name} batch p99 keeps le and ${by}`);
  }
});

test('failures are 5xx or what the mesh classifies as failure', async () => {
  const catalog = await loadCatalog();
  assert.match(catalog.analysis.get('linkerd')!.counts.failures, /classification="failure"/);
  assert.match(catalog.analysis.get('istio')!.counts.failures, /response_code=~"5\.\."/);
  assert.match(catalog.analysis.get('generic')!.counts.failures, /code=~"5\.\."/);
  assert.match(catalog.analysis.get('generic')!.counts.slow, /\{\{latencyEdgeSeconds\}\}/, 'generic histograms are in seconds');
});

test('the shipped strategies have the documented steps', async () => {
  const { strategies } = await loadCatalog();
  assert.deepEqual(strategies.get('canary'), {
    name: 'canary', description: strategies.get('canary')!.description, steps: [10, 20, 30, 40, 50],
    bakeMs: 60_000, intervalMs: 60_000, promotion: 'schedule', pauseBeforeEachStep: false,
  });
  assert.deepEqual(strategies.get('progressive')?.steps, [5, 10, 25, 50]);
  assert.deepEqual(strategies.get('exponential')?.steps, [1, 2, 5, 10, 25, 50]);
  assert.deepEqual(strategies.get('blue-green')?.steps, [0]);
  assert.equal(strategies.get('manual')?.pauseBeforeEachStep, true);
});

function prefixed(batch: AnalysisTemplate['batch']): Record<string, string> {
  return batch === undefined ? {} : { batch_requests: batch.counts.requests, batch_failures: batch.counts.failures, batch_slow: batch.counts.slow, batch_p99: batch.p99 };
}

test('every rendered analysis query is valid PromQL for the real promtool', (t) => {
  if (!existsSync('/usr/bin/promtool')) {
    t.skip('PROMTOOL NOT INSTALLED: apt-get install -y prometheus — PromQL syntax of analysis/ is unchecked');
    return;
  }
  return (async () => {
    const catalog = await loadCatalog();
    const rules = [...catalog.analysis.values()].flatMap((template) =>
      Object.entries({ ...template.counts, ...template.display, ...prefixed(template.batch) }).map(([field, query]) => {
        const rendered = renderQuery(query, { namespace: 'shop', workload: 'web-primary', window: '60s', latencyEdge: 500 });
        assert.ok(rendered.ok, `${template.name} ${field}`);
        return `      - record: fledge:${template.name}_${field}\n        expr: ${JSON.stringify(rendered.query)}`;
      }));
    const dir = mkdtempSync(join(tmpdir(), 'fledge-promql-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, `groups:\n  - name: fledge\n    rules:\n${rules.join('\n')}\n`);
    const output = execFileSync('/usr/bin/promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 20_000 });
    assert.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`));
  })();
});

function catalogWith(t: { after: (fn: () => void) => void }, bad: { kind: 'analysis' | 'strategies'; file: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-catalog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dirs = { analysis: join(dir, 'analysis'), strategies: join(dir, 'strategies') };
  for (const kind of ['analysis', 'strategies'] as const) {
    mkdirSync(dirs[kind]);
    for (const name of yamlFiles(join(root, kind))) copyFileSync(join(root, kind, name), join(dirs[kind], name));
  }
  copyFileSync(join(fixtures, bad.kind, bad.file), join(dirs[bad.kind], bad.file));
  return dirs;
}

const badFiles: ReadonlyArray<{ kind: 'analysis' | 'strategies'; file: string; says: RegExp }> = [
  { kind: 'strategies', file: 'decreasing-steps.yaml', says: /steps[\s\S]*not strictly increasing/ },
  { kind: 'strategies', file: 'wrong-name.yaml', says: /name "something-else" must equal the file name "wrong-name"/ },
  { kind: 'strategies', file: 'unknown-field.yaml', says: /pauseBeforeEveryStep/ },
  { kind: 'strategies', file: 'short-bake.yaml', says: /bake[\s\S]*at least the interval/ },
  { kind: 'strategies', file: 'bad-duration.yaml', says: /bake/ },
  { kind: 'strategies', file: 'not-yaml.yaml', says: /not valid YAML/ },
  { kind: 'analysis', file: 'missing-window.yaml', says: /counts\.requests: missing placeholder \{\{window\}\}/ },
  { kind: 'analysis', file: 'unknown-placeholder.yaml', says: /counts\.requests: unknown placeholder \{\{service\}\}/ },
  { kind: 'analysis', file: 'no-slow-query.yaml', says: /counts\.slow/ },
  { kind: 'analysis', file: 'batch-per-workload.yaml', says: /batch\.counts\.requests: \{\{workload\}\} is not allowed in a batched query/ },
];

for (const bad of badFiles) {
  test(`a bad catalog file (${bad.kind}/${bad.file}) stops loading with a message naming file, field and problem`, async (t) => {
    const dirs = catalogWith(t, bad);
    await assert.rejects(loadCatalog(dirs), (error: unknown) => {
      assert.ok(isFledgeError(error));
      assert.equal(error.code, 'FLEDGE_CATALOG_INVALID');
      assert.ok(error.message.includes(join(dirs[bad.kind], bad.file)), error.message);
      assert.match(error.message, bad.says);
      return true;
    });
  });
}

test('a missing or empty catalog directory is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-catalog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'empty'));
  await assert.rejects(loadCatalog({ analysis: join(dir, 'nope'), strategies: join(root, 'strategies') }), /does not exist/);
  await assert.rejects(loadCatalog({ analysis: join(root, 'analysis'), strategies: join(dir, 'empty') }), /no \*\.yaml files/);
});
