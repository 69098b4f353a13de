// The controller as a child process, killed with SIGKILL at seeded random moments and restarted,
// while 25 apps go through 8 releases each (good and bad). Every release must end as it would
// without the kills, the cut-over rule must hold in every sampled state, and nothing may be left
// stuck. Prints the figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seeded } from '../support/sim.ts';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CustomObjectsApi, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { sampleCutovers } from '../support/cutover-sampler.ts';
import { controllerKubeconfig } from '../support/rbac.ts';
import { runApp, terminal, type Outcome } from '../support/release-loop.ts';
import { until } from '../support/until.ts';

const appCount = 25;
const releasesPerApp = 8;
const badShare = 0.4;
const seed = 20261121;
const childEntry = fileURLToPath(new URL('../support/controller-child.ts', import.meta.url));
const annotations = { 'fledge.dev/canary': 'true', 'fledge.dev/steps': '50', 'fledge.dev/interval': '5s', 'fledge.dev/bake': '5s' };

/** Seeded, so every run kills at the same moments and picks the same bad releases. */
function prng(start: number): () => number {
  const random = seeded(start);
  return () => random.uniform();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


/**
 * Keeps one controller child running and kills it with SIGKILL at seeded random moments: mostly
 * 0.5–5 s after it started reconciling, sometimes while its caches are still syncing (the test
 * slows every list by 1 s, so a kill 0–300 ms after the child starts syncing lands inside it).
 */
class Supervisor {
  kills = 0;
  killsWhileSyncing = 0;
  readonly #kubeconfig: string;
  readonly #metricsKubeconfig: string;
  readonly #random = prng(seed);
  readonly #stderr: string[] = [];
  #child: ChildProcess | null = null;
  #running = true;
  readonly #loop: Promise<void>;

  constructor(kubeconfig: string, metricsKubeconfig: string) {
    this.#kubeconfig = kubeconfig;
    this.#metricsKubeconfig = metricsKubeconfig;
    this.#loop = this.#killAtRandom();
  }

  get log(): string {
    return this.#stderr.slice(-30).join('');
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#kill();
    await this.#loop;
  }

  /** Spawns a child; `syncing` and `started` resolve when it says so (or exits). */
  #spawn(): { child: ChildProcess; syncing: Promise<void>; started: Promise<boolean> } {
    const child = spawn(process.execPath, ['--import', 'tsx', childEntry, '--kubeconfig', this.#kubeconfig, '--metrics-kubeconfig', this.#metricsKubeconfig, '--resync', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr.push(chunk.toString());
      if (this.#stderr.length > 200) this.#stderr.splice(0, 100);
    });
    const said = (line: string): Promise<boolean> => new Promise<boolean>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes(line)) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    return { child, syncing: said('syncing caches').then(() => undefined), started: said('controller started') };
  }

  async #kill(): Promise<void> {
    const child = this.#child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async #killAtRandom(): Promise<void> {
    while (this.#running) {
      const { child, syncing, started } = this.#spawn();
      this.#child = child;
      let synced = false;
      void started.then((yes) => {
        synced = yes;
      });
      // The first kill always lands while the caches sync; after that one kill in five does.
      const early = this.kills === 0 || this.#random() < 0.2;
      if (early) await syncing.then(() => sleep(this.#random() * 300));
      else await started.then(() => sleep(500 + this.#random() * 4500));
      if (!this.#running) return;
      await this.#kill();
      this.kills += 1;
      if (!synced) this.killsWhileSyncing += 1;
    }
  }
}


async function finalState(kc: KubeConfig, index: number): Promise<string[]> {
  const name = `app-${index}`;
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const canary = (await custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name })) as { status: Record<string, any> };
  const split = (await custom.getNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: 'default', name })) as { spec: { backends: Array<{ service: string; weight: number }> } };
  const target = await apps.readNamespacedDeployment({ namespace: 'default', name });
  const problems: string[] = [];
  if (!terminal(canary.status['phase'])) problems.push(`${name} is stuck in ${String(canary.status['phase'])}: ${String(canary.status['message'])}`);
  const canaryWeight = split.spec.backends.find((b) => b.service === `${name}-canary`)?.weight;
  if (Number(canaryWeight) !== 0) problems.push(`${name}'s split still sends ${String(canaryWeight)}% to the canary`);
  if (target.spec?.replicas !== 0) problems.push(`${name} (the canary) still runs ${String(target.spec?.replicas)} replicas`);
  return problems;
}

test(`SIGKILLs at random moments across ${appCount * releasesPerApp} releases change no outcome, break no cut-over and leave nothing stuck`, { timeout: 420_000 }, async (t) => {
  const { emulator, kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 200, watchWindow: 500_000 });
  await applyFiles(kc, crdFiles);
  const dir = await mkdtemp(join(tmpdir(), 'fledge-crash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // The controller runs as its ServiceAccount with deploy/'s RBAC; the stand-in Prometheus as the admin.
  const kubeconfig = join(dir, 'kubeconfig');
  const metricsKubeconfig = join(dir, 'metrics-kubeconfig');
  await emulator.writeKubeconfig(kubeconfig, await controllerKubeconfig(emulator, kc));
  await emulator.writeKubeconfig(metricsKubeconfig, emulator.kubeconfig());
  const sampler = sampleCutovers(kc, 'default');
  // Every list takes a second, so a controller's caches take that long to sync after each start.
  emulator.faults.delay({ verb: 'list' }, 1000);
  const supervisor = new Supervisor(kubeconfig, metricsKubeconfig);
  t.after(async () => {
    await supervisor.stop();
    await sampler.stop();
  });
  const started = Date.now();
  let outcomes: Outcome[];
  try {
    outcomes = (await Promise.all(Array.from({ length: appCount }, (_, i) => runApp(kc, i, { annotations, releases: releasesPerApp, badShare, seed, releaseSeconds: 180 })))).flat();
  } catch (error) {
    throw new Error(`${String(error)}\ncontroller log (last lines):\n${supervisor.log}`, { cause: error });
  }
  await supervisor.stop();
  const stuck = (await Promise.all(Array.from({ length: appCount }, (_, i) => finalState(kc, i)))).flat();
  const report = await sampler.stop();
  const wrong = outcomes.filter((o) => o.phase !== (o.bad ? 'Failed' : 'Succeeded'));
  const bad = outcomes.filter((o) => o.bad).length;
  console.log(`crash test: ${outcomes.length} releases (${outcomes.length - bad} good, ${bad} bad) in ${Math.round((Date.now() - started) / 1000)}s, ` +
    `${supervisor.kills} kills (${supervisor.killsWhileSyncing} while its caches were syncing), ${report.changes} sampled changes (${report.weightChanges} weight changes), ` +
    `wrong outcomes = ${wrong.length}, stuck = ${stuck.length}, violations = ${report.violations.length}`);
  assert.ok(outcomes.length >= 200);
  assert.ok(supervisor.kills >= 10, `the controller was killed ${supervisor.kills} times`);
  assert.ok(supervisor.killsWhileSyncing >= 1, 'at least one kill landed while the caches were syncing');
  assert.deepEqual(wrong, []);
  assert.deepEqual(stuck, []);
  assert.deepEqual(report.violations.slice(0, 10), []);
  assert.ok(report.weightChanges >= outcomes.length * 2, 'the sampler saw the weights move in and out of every release');
});

test('the cut-over sampler reports weights not summing to 100 and traffic to a backend without ready pods', async (t) => {
  const { kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0 });
  await applyFiles(kc, crdFiles);
  const sampler = sampleCutovers(kc, 'default');
  t.after(() => sampler.stop());
  await sleep(300);
  const apps = kc.makeApiClient(AppsV1Api);
  const deployment = (name: string, replicas: number): V1Deployment => ({
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'x:1' }] } } },
  });
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('x-primary', 1) });
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('x', 0) });
  await until('x-primary ready', () => apps.readNamespacedDeployment({ namespace: 'default', name: 'x-primary' }), (d) => d.status?.readyReplicas === 1, 30);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const split = { group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: 'default' };
  const backends = (primary: number, canary: number) => [{ service: 'x-primary', weight: primary }, { service: 'x-canary', weight: canary }];
  await custom.createNamespacedCustomObject({ ...split, body: { apiVersion: 'split.smi-spec.io/v1alpha2', kind: 'TrafficSplit', metadata: { name: 'x' }, spec: { service: 'x', backends: backends(100, 0) } } });
  await custom.patchNamespacedCustomObject({ ...split, name: 'x', body: [{ op: 'replace', path: '/spec/backends', value: backends(90, 10) }] });
  await custom.patchNamespacedCustomObject({ ...split, name: 'x', body: [{ op: 'replace', path: '/spec/backends', value: backends(90, 0) }] });
  const report = await sampler.stop();
  assert.equal(report.violations.length, 2, report.violations.join('\n'));
  assert.match(report.violations[0]!, /split x sends 10% to x-canary, but x has no ready pods/);
  assert.match(report.violations[1]!, /split x weights sum to 90/);
});
