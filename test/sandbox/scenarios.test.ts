// Every sandbox scenario, headless, with a fixed seed, asserting how each release ends. The
// scenarios are independent (each has its own emulator) and run concurrently.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { readCanary, setImage } from '../../src/sandbox/cluster-setup.ts';
import { runSandbox, type SandboxOptions, type SandboxResult } from '../../src/sandbox/run.ts';
import { until } from '../support/until.ts';
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
  it('latency regression: the slower release is rolled back, the summary says why with its latency column, and while --keep holds it every command it prints works as printed', async () => {
    const stop = new AbortController();
    let out = '';
    let checked: KeepCheck | null = null;
    const result = await play('latency', {
      keep: true,
      kubeconfigPath: join(dir, 'kubeconfig'),
      signal: stop.signal,
      write: (text) => (out += text),
      onKeep: async (path) => {
        try {
          checked = await runPrintedCommands(printedCommands(out), path);
        } finally {
          stop.abort();
        }
      },
    });
    assert.deepEqual(endings(result), ['podinfo:1.2 rolled-back']);
    assert.equal(result.ok, true);
    // The summary: a latency column beside the failures, and the controller's sentence under the row.
    assert.match(out, /release\s+expected\s+outcome\s+time\s+canary requests\s+failures\s+errors\s+latency\s+phases/);
    assert.match(out, /↳ revision \w+ rolled back: the canary answered [\d.]+% of [\d,]+ requests slower than 500 ms against the primary's [\d.]+%/);
    assert.match(result.releases[0]?.reason ?? '', /slower than 500 ms/);
    const done = checked as KeepCheck | null;
    assert.ok(done !== null, 'the --keep commands ran');
    for (const step of done.steps) assert.equal(step.code, step.expected, `${step.command}\n${step.output}`);
    assert.ok(done.steps.some((step) => step.command.includes(' wait ') && /promoted/.test(step.output)), done.steps.map((step) => step.command).join('\n'));
  });

  it('on a terminal, the panel\'s last frame shows how the release ended', async () => {
    let out = '';
    const result = await play('small-regression', { isTty: true, write: (text) => (out += text) });
    assert.deepEqual(endings(result), ['podinfo:1.2 rolled-back']);
    const beforeSummary = out.slice(0, out.indexOf('release       expected'));
    const lastFrame = beforeSummary.slice(beforeSummary.lastIndexOf('fledge sandbox —'));
    assert.match(lastFrame, /default\/podinfo\s+Failed\s+step -/, lastFrame);
    assert.doesNotMatch(lastFrame, /Progressing/);
  });

  it('small regression: twice the failures of the primary is rolled back', async () => {
    const result = await play('small-regression');
    assert.deepEqual(endings(result), ['podinfo:1.2 rolled-back']);
    assert.match(result.releases[0]?.reason ?? '', /^revision \w+ rolled back: the canary failed [\d.]+% of [\d,]+ requests against the primary's [\d.]+% \(about [\d.]+×\) over \d+ \w+; the SLO allows 1%$/);
  });

  it('no traffic: the release pauses for lack of data instead of passing or failing', async () => {
    const result = await play('no-traffic');
    assert.deepEqual(endings(result), ['podinfo:1.1 paused']);
    assert.equal(result.releases[0]?.canaryRequests, 0);
    assert.match(result.releases[0]?.reason ?? '', /^paused: the canary received no requests in the last \d+ (intervals|windows)$/);
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

  it('autoscaled: the good release is promoted, and the primary runs at the size its own HPA wants for the surged load', async () => {
    const result = await play('autoscaled');
    assert.deepEqual(endings(result), ['podinfo:1.1 promoted']);
    assert.equal(result.ok, true);
    // 800 rps at 100 rps per pod (50% of 200) asks for 8 pods, more than the app's 5 before the surge; the
    // load is measured from wall-clock Poisson traffic, so the primary is held to "scaled up, as its HPA wants".
    const scaled = result.autoscaling;
    assert.ok(scaled !== undefined && scaled !== null, 'the primary and its HPA exist');
    assert.equal(scaled.primaryReplicas, scaled.desired);
    assert.ok(scaled.primaryReplicas > 5 && scaled.primaryReplicas <= 10, `primary at ${scaled.primaryReplicas}`);
  });

  it('canary that never becomes ready: rolled back at the progress deadline with no traffic sent to it', async () => {
    const result = await play('never-ready');
    assert.deepEqual(endings(result), ['podinfo:1.3 rolled-back']);
    assert.equal(result.releases[0]?.canaryRequests, 0);
    assert.match(result.releases[0]?.reason ?? '', /^revision \w+ rolled back: only 0 of 2 canary pods ready after \d+ \w+, past the progress deadline of \d+ \w+$/);
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

/** The commands `--keep` printed under "Try:", as a person would copy them. */
function printedCommands(out: string): string[] {
  const lines = out.split('\n');
  const from = lines.indexOf('Try:');
  const to = lines.findIndex((line, i) => i > from && !line.startsWith('  '));
  return lines.slice(from + 1, to).map((line) => line.trim());
}

interface KeepStep {
  readonly command: string;
  readonly code: number | null;
  readonly expected: number;
  readonly output: string;
}

interface KeepCheck {
  readonly steps: KeepStep[];
}

/** Runs one printed line: `KUBECONFIG=… node bin/fledge.js …` or `kubectl …` (skipped without kubectl). */
async function runPrinted(line: string, extra: readonly string[] = []): Promise<Run | null> {
  const words = line.split(/\s+/);
  const env = words[0]?.startsWith('KUBECONFIG=') ? { ...process.env, KUBECONFIG: words.shift()!.slice('KUBECONFIG='.length) } : process.env;
  const [command, ...args] = words;
  if (command === 'kubectl' && !kubectl) return null;
  return run(command === 'node' ? process.execPath : command!, [...args, ...extra], env);
}

/**
 * Every printed command, in an order that makes each meaningful: the rolled-back revision is still
 * current (wait exits 1 with the reason), then a new image is released, paused, resumed and
 * promoted by hand, and wait follows it to its promotion.
 */
async function runPrintedCommands(commands: readonly string[], kubeconfigPath: string): Promise<KeepCheck> {
  const find = (part: string): string => {
    const found = commands.find((c) => c.includes(part));
    assert.ok(found !== undefined, `a printed command with "${part}": ${commands.join(' | ')}`);
    return found;
  };
  const steps: KeepStep[] = [];
  const step = async (line: string, expected: number, extra: readonly string[] = []): Promise<void> => {
    const ran = await runPrinted(line, extra);
    if (ran !== null) steps.push({ command: [line, ...extra].join(' '), code: ran.code, expected, output: ran.output });
  };
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const canary = (): Promise<Record<string, any>> => readCanary(kc, { namespace: 'default', app: 'podinfo' }) as Promise<Record<string, any>>;
  await step(find(' get canaries'), 0);
  await step(find('fledge.js status'), 0);
  await step(find('fledge.js wait'), 1, ['--timeout', '30s']);
  const before = (await canary()).status.revision as string;
  if (kubectl) await step(find(' set image '), 0);
  else await setImage(kc, { namespace: 'default', app: 'podinfo', image: 'podinfo:2.0' });
  await until('the new revision\'s run', canary, (c) => c.status?.revision !== before && c.status?.phase === 'Progressing', 60);
  await step(find('fledge.js pause'), 0);
  await step(find('fledge.js wait'), 3, ['--until-paused', '--timeout', '60s']);
  await step(find('fledge.js resume'), 0);
  await until('a step with traffic', canary, (c) => c.status?.phase === 'Progressing' && (c.status?.step ?? 0) >= 1, 60);
  await step(find('fledge.js promote'), 0);
  await step(find('fledge.js wait'), 0, ['--timeout', '90s']);
  return { steps };
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
