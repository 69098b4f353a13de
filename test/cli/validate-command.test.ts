import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { createValidateCommand } from '../../src/cli/validate-command.ts';
import { loadCatalog } from '../../src/config/catalog.ts';
import { FledgeError } from '../../src/errors.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = (name: string): string => `${root}test/fixtures/config/manifests/${name}`;

function capture(): CliIo & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { out: (line) => outLines.push(line), err: (line) => errLines.push(line), env: {}, isTty: false, outLines, errLines };
}

async function validate(...args: string[]) {
  const io = capture();
  const code = await runCli(['validate', ...args], io);
  return { code, out: io.outLines, err: io.errLines };
}

test('a manifest whose annotated Deployments are all valid passes with one ok line each', async () => {
  const { code, out, err } = await validate('-f', manifest('good.yaml'));
  assert.equal(code, 0);
  assert.deepEqual(out, [
    'deployment/web: ok (strategy canary, steps 10,20,30,40,50, judge sequential)',
    'deployment/api: ok (strategy progressive, steps 5,10,25,50, judge threshold)',
  ]);
  assert.deepEqual(err, []);
});

test('every problem is one line naming the Deployment, the key, the value and what is allowed; exit 4', async () => {
  const { code, out } = await validate('-f', manifest('bad.yaml'));
  assert.equal(code, 4);
  assert.equal(out[0], 'deployment/web: ok (strategy canary, steps 10,20,30,40,50, judge sequential)');
  assert.equal(out[1], 'deployment/api: fledge.dev/interval: "3s" — too short: allowed is a duration of at least 5s, such as 30s or 1m');
  assert.match(out[2] ?? '', /^deployment\/api: fledge\.dev\/intervall: "30s" — not a known annotation \(did you mean fledge\.dev\/interval\?\): allowed is one of /);
  assert.equal(out.length, 3);
});

test('an unquoted YAML value is refused the way the API server would, with the quoted form to write', async () => {
  const { code, out } = await validate('-f', manifest('unquoted.yaml'));
  assert.equal(code, 4);
  assert.deepEqual(out, [
    'deployment/api: fledge.dev/alpha: 0.01 — not a string: annotation values must be quoted in YAML, such as "0.01"',
    'deployment/api: fledge.dev/canary: true — not a string: annotation values must be quoted in YAML, such as "true"',
  ]);
});

test('Deployments inside a List are checked, and one without fledge.dev/canary is checked but reported off', async () => {
  const { code, out } = await validate('-f', manifest('list.yaml'));
  assert.equal(code, 4);
  assert.equal(out[0], 'deployment/web: ok (strategy manual, steps 10,20,30,40,50, judge sequential)');
  assert.match(out[1] ?? '', /^deployment\/api: fledge\.dev\/judge: "coin-flip" — not one of the choices: allowed is sequential or threshold$/);
});

test('several files are all checked; one bad file makes the exit code 4', async () => {
  const { code, out } = await validate('-f', manifest('good.yaml'), '-f', manifest('bad.yaml'));
  assert.equal(code, 4);
  assert.equal(out.length, 5);
});

test('a file with no annotated Deployment says so and passes', async () => {
  const { code, out } = await validate('-f', manifest('plain.yaml'));
  assert.equal(code, 0);
  assert.deepEqual(out, [`${manifest('plain.yaml')}: no Deployment with fledge.dev/* annotations`]);
});

test('an unreadable file, broken YAML or missing -f exits 4 with the reason on stderr', async () => {
  const missing = await validate('-f', manifest('does-not-exist.yaml'));
  assert.equal(missing.code, 4);
  assert.match(missing.err.join('\n'), /does-not-exist\.yaml: cannot read: ENOENT/);
  const broken = await validate('-f', manifest('broken.yaml'));
  assert.equal(broken.code, 4);
  assert.match(broken.err.join('\n'), /broken\.yaml: not valid YAML: /);
  const noFile = await validate();
  assert.equal(noFile.code, 4);
  assert.match(noFile.err.join('\n'), /missing -f FILE[\s\S]*Usage: fledge validate -f FILE/);
  const unknownFlag = await validate('--file', 'x.yaml');
  assert.equal(unknownFlag.code, 4);
});

test('--help prints the usage and exits 0', async () => {
  const { code, out } = await validate('--help');
  assert.equal(code, 0);
  assert.match(out.join('\n'), /Usage: fledge validate -f FILE/);
});

test('"-f -" reads the manifest from standard input', async () => {
  const command = createValidateCommand({
    readFile: () => Promise.reject(new Error('not expected')),
    readStdin: () => Promise.resolve('kind: Deployment\nmetadata:\n  name: web\n  annotations:\n    fledge.dev/steps: "50,10"\n'),
    loadCatalog: () => loadCatalog(),
  });
  const io = capture();
  assert.equal(await command.run(['-f', '-'], io), 4);
  assert.deepEqual(io.outLines, ['deployment/web: fledge.dev/steps: "50,10" — not strictly increasing: allowed is comma-separated whole percentages from 0 to 100, strictly increasing, such as 5,10,25,50']);
});

test('a broken catalog is reported with its code and exits 4', async () => {
  const command = createValidateCommand({
    readFile: () => Promise.resolve(''),
    readStdin: () => Promise.resolve(''),
    loadCatalog: () => Promise.reject(new FledgeError('FLEDGE_CATALOG_INVALID', 'strategies/x.yaml: steps: not strictly increasing')),
  });
  const io = capture();
  assert.equal(await command.run(['-f', 'app.yaml'], io), 4);
  assert.deepEqual(io.errLines, ['fledge validate: FLEDGE_CATALOG_INVALID: strategies/x.yaml: steps: not strictly increasing']);
});

test('the installed binary exits 4 for an invalid manifest', () => {
  const result = spawnSync(process.execPath, [`${root}bin/fledge.js`, 'validate', '-f', manifest('bad.yaml')], {
    cwd: '/', encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(result.status, 4, result.stderr);
  assert.match(result.stdout, /deployment\/api: fledge\.dev\/interval: "3s" — too short/);
});

test('a Deployment whose derived Service names or selector Kubernetes would refuse fails validation with what is allowed', async () => {
  const { code, out } = await validate('-f', manifest('unreleasable.yaml'));
  assert.equal(code, 4);
  assert.match(out[0] ?? '', /^deployment\/a-deployment-name-that-is-long-enough-to-break-service-names: the Deployment name .* is 60 characters: .* allowed are names of at most 55 characters$/);
  assert.match(out[1] ?? '', /^deployment\/expr: spec.selector uses matchExpressions: .* allowed is a selector of matchLabels alone$/);
});

test('a manifest mixing templates and Deployments: each template is checked, and each Deployment against its namespace\'s templates, then the cluster ones, then the built-ins', async () => {
  const { code, out } = await validate('-f', manifest('templates.yaml'));
  assert.equal(code, 4);
  assert.equal(out[0], 'analysistemplate/spring: ok (scrape 5s, 1 extra metrics, 1 checks)');
  assert.match(out[1] ?? '', /^clusteranalysistemplate\/broken: invalid: counts\.failures: missing placeholder \{\{namespace\}\}; counts\.failures: missing placeholder \{\{workload\}\}/);
  // 10 s intervals are allowed by the template's 5 s scrape (the built-in linkerd's 10 s would refuse them).
  assert.equal(out[2], 'deployment/checkout: ok (strategy canary, steps 10,20,30,40,50, judge sequential)');
  // `spring` lives in shop, not in other.
  assert.match(out[3] ?? '', /^deployment\/cart: fledge\.dev\/analysis: "spring" — not a known analysis: no AnalysisTemplate in the app's namespace/);
});
