// Every sandbox scenario, headless, with a fixed seed, asserting how each release ends. The
// scenarios are independent (each has its own emulator) and run concurrently.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSandbox, type SandboxOptions, type SandboxResult } from '../../src/sandbox/run.ts';
import type { ScenarioName } from '../../src/sandbox/scenarios.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fledge-sandbox-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function play(scenario: ScenarioName, extra: Partial<SandboxOptions> = {}): Promise<SandboxResult> {
  return runSandbox({ scenario, seed: 1, speed: 2, metrics: 'direct', write: () => undefined, isTty: false, ...extra });
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!kubectl) process.stderr.write('\n!!!!!!!!!! kubectl not found: the --keep check with kubectl is SKIPPED !!!!!!!!!!\n\n');

const endings = (result: SandboxResult): string[] => result.releases.map((release) => `${release.image} ${release.ending}`);

describe('sandbox scenarios (seed 1)', { concurrency: true, timeout: 240_000 }, () => {
  it('latency regression: the slower release is rolled back, and while --keep holds it the commands it suggests work as printed', async () => {
    const stop = new AbortController();
    let seen = '';
    let status: Run = { code: null, output: '' };
    let wait: Run = { code: null, output: '' };
    const result = await play('latency', {
      keep: true,
      kubeconfigPath: join(dir, 'kubeconfig'),
      signal: stop.signal,
      onKeep: async (path) => {
        if (kubectl) seen = (await run('kubectl', ['--kubeconfig', path, 'get', 'canaries', '-A'])).output;
        const env = { ...process.env, KUBECONFIG: path };
        status = await run(process.execPath, ['bin/fledge.js', 'status'], env);
        wait = await run(process.execPath, ['bin/fledge.js', 'wait', 'deployment/podinfo', '-n', 'default', '--timeout', '30s'], env);
        stop.abort();
      },
    });
    assert.deepEqual(endings(result), ['podinfo:1.2 rolled-back']);
    assert.equal(result.ok, true);
    if (kubectl) assert.match(seen, /podinfo/);
    assert.equal(status.code, 0, status.output);
    assert.match(status.output, /podinfo/);
    // The revision the Deployment asks for was rolled back: exit 1 with the reason, not a config error.
    assert.equal(wait.code, 1, wait.output);
    assert.match(wait.output, /rolled back/);
  });

  it('small regression: twice the failures of the primary is rolled back', async () => {
    const result = await play('small-regression');
    assert.deepEqual(endings(result), ['podinfo:1.2 rolled-back']);
  });

  it('no traffic: the release pauses for lack of data instead of passing or failing', async () => {
    const result = await play('no-traffic');
    assert.deepEqual(endings(result), ['podinfo:1.1 paused']);
    assert.equal(result.releases[0]?.canaryRequests, 0);
  });

  it('metrics outage mid-release: the release pauses, then resumes and is promoted', async () => {
    const result = await play('prometheus-outage', { metrics: 'auto' });
    assert.deepEqual(endings(result), ['podinfo:1.1 promoted']);
    assert.ok(result.releases[0]?.phases.includes('Paused'), `phases: ${result.releases[0]?.phases.join(' → ')}`);
  });

  it('quiet: an idle app judged on the loadtester\'s load (rollout hook) promotes the good release and rolls back the bad one', async () => {
    const result = await play('quiet');
    assert.deepEqual(endings(result), ['podinfo:1.1 promoted', 'podinfo:1.2 rolled-back']);
    assert.ok((result.releases[0]?.canaryRequests ?? 0) > 500, `the canary got generated load (${result.releases[0]?.canaryRequests})`);
  });

  it('custom-analysis: the app\'s own AnalysisTemplate (with an extra metric) judges the releases through Prometheus; fledge status names it', async () => {
    const stop = new AbortController();
    let status: Run = { code: null, output: '' };
    const result = await play('custom-analysis', {
      metrics: 'auto',
      keep: true,
      kubeconfigPath: join(dir, 'kubeconfig-custom'),
      signal: stop.signal,
      onKeep: async (path) => {
        status = await run(process.execPath, ['bin/fledge.js', 'status', 'podinfo'], { ...process.env, KUBECONFIG: path });
        stop.abort();
      },
    });
    assert.deepEqual(endings(result), ['podinfo:1.1 promoted', 'podinfo:1.2 rolled-back']);
    assert.equal(status.code, 0, status.output);
    assert.match(status.output, /analysis: AnalysisTemplate default\/podinfo-slo \(generation 1\)/);
    assert.match(status.output, /evidence: errors harm .*, latency harm .*, server-errors harm/);
  });

  it('canary that never becomes ready: rolled back at the progress deadline with no traffic sent to it', async () => {
    const result = await play('never-ready');
    assert.deepEqual(endings(result), ['podinfo:1.3 rolled-back']);
    assert.equal(result.releases[0]?.canaryRequests, 0);
  });

  it('the default scenario through the CLI promotes the good release, rolls back the bad one and exits 0', async () => {
    const child = spawn(process.execPath, ['bin/fledge.js', 'sandbox', '--seed', '1', '--speed', '2'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    if (code !== 0) process.stderr.write(`\n--- fledge sandbox output ---\n${output.slice(-4000)}\n`);
    assert.equal(code, 0, output.slice(-3000));
    assert.match(output, /podinfo:1\.1\s+promoted\s+promoted/);
    assert.match(output, /podinfo:1\.2\s+rolled-back\s+rolled-back/);
  });
});

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command from the repository root as a person would, killed after 60 s. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
