// Two `fledge controller --leader-elect` processes against one API: exactly one leads and acts;
// when the leader is killed (SIGKILL) or frozen (SIGSTOP) the other takes over, and a frozen
// leader that wakes up does not act again. Who wrote what, and when, is judged by the API
// server's audit log (each replica names itself in its User-Agent), not by the replicas' logs: a
// write sent before a freeze is logged when its answer is read, after the wake. Failover times
// are printed, not asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AuditRecord } from '../../src/sandbox/emulator/access.ts';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { controllerKubeconfig } from '../support/rbac.ts';

const bin = fileURLToPath(new URL('../../bin/fledge.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** What reconcile logs when it changes the cluster (apply.ts), and the drift repairs (observe.ts). */
const actionMessages = new Set(['routed', 'scaled canary', 'copied canary spec to primary', 'recreated a missing object']);
/** The event queue's line for an Event that was not sent (it names the Event's reason). */
const notRecorded = 'could not record an Event';

interface LogLine { time: number; msg: string; canary?: string; reason?: string }

class Replica {
  readonly name: string;
  readonly lines: LogLine[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(name: string, kubeconfig: string) {
    this.name = name;
    this.child = spawn(process.execPath, [bin, 'controller', '--kubeconfig', kubeconfig, '--prometheus-url', 'http://127.0.0.1:9', '--leader-elect', '--leader-namespace', 'fledge-system',
      '--health-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--resync', '2s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const complete = buffer.split('\n');
      buffer = complete.pop() ?? '';
      for (const line of complete) {
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Times this replica changed the cluster (an action of a reconcile). An Event the API did not take (refused: not leading any more) is none. */
  get actions(): number[] {
    return this.lines.filter((l) => l.canary !== undefined && l.msg !== notRecorded && (actionMessages.has(l.msg) || l.reason !== undefined)).map((l) => l.time);
  }

  leadingAt(): number | null {
    return this.lines.find((l) => l.msg === 'leading')?.time ?? null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    if (signal === 'SIGKILL') await this.exited;
  }
}

async function until<T>(what: string, read: () => T | null, seconds: number): Promise<T> {
  for (let i = 0; i < seconds * 10; i += 1) {
    const value = read();
    if (value !== null) return value;
    await sleep(100);
  }
  throw new Error(`timed out after ${seconds}s waiting for ${what}`);
}

/** Keeps creating annotated Deployments, so a leader always has something to do. */
function generateApps(kc: KubeConfig): { stop: () => Promise<void> } {
  const apps = kc.makeApiClient(AppsV1Api);
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n += 1) {
      const labels = { app: `app-${n}` };
      await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name: `app-${n}`, annotations: { 'fledge.dev/canary': 'true' } },
          spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
        },
      }).catch(() => undefined);
      await sleep(400);
    }
  })();
  return { stop: async () => { running = false; await loop; } };
}

const writeVerbs = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** A write the API server received from a replica: the controller's, not its leader election's (Leases). */
interface Write { readonly at: number; readonly what: string; readonly replica: string }

/** The controller's writes in the audit log, each with the replica that sent it (its pid is in the User-Agent). */
function writesOf(audit: readonly AuditRecord[], replicas: readonly Replica[]): Write[] {
  return audit.filter((r) => r.allowed && writeVerbs.has(r.verb) && r.resource !== 'leases' && r.userAgent.startsWith('fledge/')).map((r) => {
    const replica = replicas.find((each) => r.userAgent.endsWith(`-${each.child.pid ?? ''})`));
    return { at: r.receivedAt, what: `${r.verb} ${r.resource} ${r.namespace}/${r.name}`, replica: replica?.name ?? `unknown (${r.userAgent})` };
  });
}

/** Replicas that wrote, in the order they started writing; throws when two wrote at once. */
function actingOrder(writes: readonly Write[]): string[] {
  const names = [...new Set(writes.map((w) => w.replica))];
  const windows = names.map((name) => {
    const times = writes.filter((w) => w.replica === name).map((w) => w.at);
    return { name, first: Math.min(...times), last: Math.max(...times) };
  });
  windows.sort((a, b) => a.first - b.first);
  for (let i = 1; i < windows.length; i += 1) {
    const before = windows[i - 1]!;
    const after = windows[i]!;
    assert.ok(before.last < after.first, `${before.name} wrote until ${before.last}, after ${after.name} began writing at ${after.first}: two writers at once`);
  }
  return windows.map((w) => w.name);
}

test('two controller replicas: exactly one acts; failover after SIGKILL and after SIGSTOP, and a frozen leader never acts again', { timeout: 240_000 }, async (t) => {
  const audit: AuditRecord[] = [];
  const { emulator, kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0, audit: (record) => audit.push(record) });
  await applyFiles(kc, crdFiles);
  const dir = await mkdtemp(join(tmpdir(), 'fledge-leader-'));
  // The replicas run as the controller's ServiceAccount: deploy/ lets it hold Leases only in
  // fledge-system (a Role there), which controllerKubeconfig creates.
  const kubeconfig = join(dir, 'kubeconfig');
  await emulator.writeKubeconfig(kubeconfig, await controllerKubeconfig(emulator, kc));
  const replicas: Replica[] = [new Replica('a', kubeconfig), new Replica('b', kubeconfig)];
  const generator = generateApps(kc);
  t.after(async () => {
    await generator.stop();
    for (const replica of replicas) {
      replica.child.kill('SIGCONT');
      await replica.kill();
    }
    await rm(dir, { recursive: true, force: true });
  });

  // Steady state: one leader acting, the other standing by.
  const first = await until('a leader', () => replicas.find((r) => r.leadingAt() !== null) ?? null, 60);
  const standby = replicas.find((r) => r !== first)!;
  await until('the leader to act', () => (first.actions.length >= 3 ? true : null), 60);
  await sleep(4000);
  assert.equal(standby.leadingAt(), null, 'the standby never led');
  assert.deepEqual(standby.actions, [], 'the standby never acted');
  assert.deepEqual(writesOf(audit, replicas).filter((w) => w.replica !== first.name), [], 'only the leader wrote');

  // The leader dies: the standby takes over once the lease expires.
  const killedAt = Date.now();
  await first.kill('SIGKILL');
  const takeover = await until('the standby to take over', () => standby.leadingAt(), 60);
  await until('the new leader to act', () => (standby.actions.some((at) => at > takeover) ? true : null), 60);

  // A third replica stands by; the leader freezes, the third takes over, the frozen one wakes.
  const third = new Replica('c', kubeconfig);
  replicas.push(third);
  await until('the third replica to stand by', () => third.lines.find((l) => l.msg === 'fledge controller starting') ?? null, 60);
  await sleep(3000);
  const frozenAt = Date.now();
  await standby.kill('SIGSTOP');
  const takeoverAfterFreeze = await until('the third replica to take over', () => third.leadingAt(), 60);
  await until('the third replica to act', () => (third.actions.some((at) => at > takeoverAfterFreeze) ? true : null), 60);
  const wokenAt = Date.now();
  await standby.kill('SIGCONT');
  const exitCode = await Promise.race([standby.exited, sleep(30_000).then(() => 'still running' as const)]);
  await sleep(2000);

  const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: 'fledge-system', name: 'fledge-controller' });
  const writes = writesOf(audit, replicas);
  const count = (replica: Replica): number => writes.filter((w) => w.replica === replica.name).length;
  // Nothing a frozen process sends can arrive while it is stopped after its last request; whatever arrives after the wake was sent after it.
  const wokenWrites = writes.filter((w) => w.replica === standby.name && w.at >= wokenAt);
  console.log(`leader election: failover after SIGKILL ${((takeover - killedAt) / 1000).toFixed(1)}s, after SIGSTOP ${((takeoverAfterFreeze - frozenAt) / 1000).toFixed(1)}s; ` +
    `writes the API received: first leader ${count(first)}, second ${count(standby)}, third ${count(third)}; the frozen leader wrote ${wokenWrites.length} times after waking and exited with ${String(exitCode)}; ` +
    `lease holder ${lease.spec?.holderIdentity ?? ''} after ${lease.spec?.leaseTransitions ?? 0} transitions`);
  const wokenLog = standby.lines.filter((l) => l.time >= wokenAt).slice(0, 20).map((l) => `+${l.time - wokenAt}ms ${l.canary ?? ''} ${l.msg}`);
  assert.deepEqual(wokenWrites.map((w) => `+${w.at - wokenAt}ms ${w.what}`), [], `the frozen leader wrote after waking, while another led; its log:\n${wokenLog.join('\n')}`);
  assert.deepEqual(writes.filter((w) => w.replica.startsWith('unknown')), [], 'every write names its replica');
  assert.deepEqual(actingOrder(writes), [first.name, standby.name, third.name]);
  assert.equal(exitCode, 1, 'the frozen leader exits on finding its lease lost, to restart as a follower');
  assert.ok(third.lines.every((l) => l.msg !== 'lost the lease; stopping'), 'the new leader keeps leading');
});
