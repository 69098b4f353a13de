// `npm run bench:requests`: what one status write of a Canary costs the controller's process,
// through client-node's API classes and as a plain JSON request (src/adapters/kube/json-requests.ts),
// against `fledge emulator` in its own process. Both go through the same keep-alive pool. Rounds
// alternate between the two; each round writes the status of every Canary once, 32 at a time.
// Prints a table and writes bench/results/requests.md.
//
// Flags: --canaries 400, --rounds 22 (the first two of each way are warm-up, not counted), --out DIR.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { kubeconfigYaml } from '../src/sandbox/emulator/kubeconfig.ts';
import { allowPlainHttp } from '../src/adapters/kube/client.ts';
import { withKeepAlive } from '../src/adapters/kube/keep-alive.ts';
import { jsonRequests } from '../src/adapters/kube/json-requests.ts';
import { apiAt, applyCrds, inParallel } from './scale/api.ts';
import { startEmulatorProcess } from './scale/processes.ts';

const group = 'fledge.dev';
const version = 'v1alpha1';
const plural = 'canaries';
const namespace = 'default';
const warmUp = 2;

interface Round {
  readonly way: string;
  /** The bench process's CPU per request (user + system), ms. */
  readonly cpuMs: number;
  /** The emulator's CPU per request, ms. */
  readonly emulatorMs: number;
  readonly wallMs: number;
}

/** A status as a step leaves it: five conditions with the judge's sentence. */
function statusBody(name: string, resourceVersion: string, round: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 10, 27, 10, 0, round)).toISOString();
  const message = `step ${round % 10 + 1}/10: ${(round % 10 + 1) * 10}% of traffic to the canary; no sign of harm yet: evidence errors 3%, latency 1% of the way to a rollback over 1234 canary requests`;
  const conditions = ['Ready', 'Progressing', 'ConfigValid', 'Promoted', 'Paused'].map((type) => ({ type, status: 'True', reason: 'StepAdvanced', message, lastTransitionTime: at, observedGeneration: 1 }));
  return { apiVersion: `${group}/${version}`, kind: 'Canary', metadata: { name, namespace, resourceVersion }, spec: {}, status: { phase: 'Progressing', message, conditions } };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function table(rounds: readonly Round[], canaries: number): string {
  const ways = [...new Set(rounds.map((r) => r.way))];
  const rows = ways.map((way) => {
    const mine = rounds.filter((r) => r.way === way).slice(warmUp);
    const cell = (pick: (r: Round) => number): string => `${median(mine.map(pick)).toFixed(3)} (${Math.min(...mine.map(pick)).toFixed(3)}–${Math.max(...mine.map(pick)).toFixed(3)})`;
    return `| ${way} | ${mine.length} × ${canaries} | ${cell((r) => r.cpuMs)} | ${cell((r) => r.emulatorMs)} | ${cell((r) => r.wallMs)} |`;
  });
  return ['| way | writes | controller CPU ms / request, median (range) | emulator CPU ms / request | wall ms / request |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { canaries: { type: 'string', default: '400' }, rounds: { type: 'string', default: '22' }, out: { type: 'string', default: 'bench/results' } }, strict: true });
  const canaries = Number(values.canaries);
  const roundsEach = Number(values.rounds);
  if (!(Number.isInteger(canaries) && canaries > 0 && Number.isInteger(roundsEach) && roundsEach > warmUp)) throw new Error(`--canaries a positive whole number, --rounds more than ${warmUp}`);
  const dir = await mkdtemp(join(tmpdir(), 'fledge-requests-'));
  const emulator = await startEmulatorProcess(join(dir, 'kubeconfig'));
  try {
    const api = apiAt(emulator.url);
    await applyCrds(api, [new URL('../deploy/crds/canary.yaml', import.meta.url)]);
    const names = Array.from({ length: canaries }, (_, i) => `app-${String(i).padStart(5, '0')}`);
    const versions = new Map<string, string>();
    await inParallel(names, 16, async (name) => {
      const created = await api.request<{ metadata: { resourceVersion: string } }>('POST', `/apis/${group}/${version}/namespaces/${namespace}/${plural}`, { apiVersion: `${group}/${version}`, kind: 'Canary', metadata: { name, namespace }, spec: {} });
      versions.set(name, created.metadata.resourceVersion);
    });
    await writeFile(join(dir, 'controller-kubeconfig'), kubeconfigYaml({ server: emulator.url }), { mode: 0o600 });
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'controller-kubeconfig'));
    allowPlainHttp(kc);
    const { close } = withKeepAlive(kc, { userAgent: 'fledge-bench' });
    const custom = kc.makeApiClient(CustomObjectsApi);
    const requests = jsonRequests(kc);
    const ways: Record<string, (name: string, body: Record<string, unknown>) => Promise<unknown>> = {
      'client-node CustomObjectsApi': (name, body) => custom.replaceNamespacedCustomObjectStatus({ group, version, plural, namespace, name, body }),
      'plain JSON request': (name, body) => requests.send('PUT', `/apis/${group}/${version}/namespaces/${namespace}/${plural}/${name}/status`, body),
    };
    const rounds: Round[] = [];
    for (let round = 0; round < roundsEach; round += 1) {
      for (const [way, write] of Object.entries(ways)) {
        const cpu0 = process.cpuUsage();
        const emulator0 = emulator.cpuMs();
        const wall0 = performance.now();
        await inParallel(names, 32, async (name) => {
          const written = await write(name, statusBody(name, versions.get(name) ?? '', round)) as { metadata: { resourceVersion: string } };
          versions.set(name, written.metadata.resourceVersion);
        });
        const cpu = process.cpuUsage(cpu0);
        rounds.push({ way, cpuMs: (cpu.user + cpu.system) / 1000 / canaries, emulatorMs: (emulator.cpuMs() - emulator0) / canaries, wallMs: (performance.now() - wall0) / canaries });
      }
    }
    close();
    const text = table(rounds, canaries);
    process.stdout.write(`${text}\n`);
    await mkdir(values.out, { recursive: true });
    const document = [
      '# One status write: client-node against a plain JSON request',
      '',
      `\`npm run bench:requests\` (Node ${process.version}): ${canaries} Canaries in \`fledge emulator\` (its own process), each round writing every Canary's status once (5 conditions, about 1.6 KB), 32 at a time, both ways on one keep-alive pool; the ways alternate, ${roundsEach} rounds each, the first ${warmUp} not counted. CPU is the bench process's (user + system) and the emulator's, per request.`,
      '',
      text,
      '',
      'The controller sends its status, TrafficSplit and scale writes as plain JSON requests (src/adapters/kube/json-requests.ts); reads, watches and the other writes still go through client-node.',
      '',
    ].join('\n');
    await writeFile(join(values.out, 'requests.md'), document);
    process.stdout.write(`wrote ${join(values.out, 'requests.md')}\n`);
  } finally {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
