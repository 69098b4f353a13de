import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { createControllerCommand } from '../../src/cli/controller-command.ts';
import { readSettings } from '../../src/cli/controller/settings.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { kubeconfigFile } from './support/child.ts';

function io(env: Record<string, string> = {}): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => errors.push(l), env, isTty: false, lines, errors };
}

test('controller settings take flags over FLEDGE_* variables and fill safe defaults', () => {
  const settings = readSettings({ 'prometheus-url': 'http://prom:9090' }, { FLEDGE_PROMETHEUS_URL: 'http://other:9090', FLEDGE_CONCURRENCY: '8', FLEDGE_RESYNC: '1m' });
  assert.equal(settings['prometheus-url'], 'http://prom:9090');
  assert.equal(settings.concurrency, 8);
  assert.equal(settings.resync, 60_000);
  assert.equal(settings['metrics-addr'], '127.0.0.1:8080');
  assert.equal(settings['health-addr'], '127.0.0.1:8081');
  assert.equal(settings['leader-elect'], false);
});

test('fledge controller refuses to start without a Prometheus URL or with a bad value, exit 4', async () => {
  const command = createControllerCommand({ onStop: () => () => undefined });
  const missing = io();
  assert.equal(await command.run(['--kubeconfig', '/dev/null'], missing), 4);
  assert.match(missing.errors.join('\n'), /--prometheus-url \(or FLEDGE_PROMETHEUS_URL\)/);
  const bad = io({ FLEDGE_PROMETHEUS_URL: 'http://prom:9090' });
  assert.equal(await command.run(['--concurrency', '0'], bad), 4);
  assert.match(bad.errors.join('\n'), /--concurrency/);
});

for (const leaderElect of [false, true]) test(`fledge controller${leaderElect ? ' with --leader-elect' : ''} reports ready once synced and stops cleanly on SIGTERM`, async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  await applyFiles(kubeConfig, crdFiles);
  let stop: (() => void) | null = null;
  const command = createControllerCommand({ onStop: (handler) => {
    stop = handler;
    return () => undefined;
  } });
  const sink = io();
  const args = ['--kubeconfig', kubeconfigFile(t, emulator.kubeconfig()), '--prometheus-url', 'http://127.0.0.1:9', '--health-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--resync', '1s', ...(leaderElect ? ['--leader-elect', '--leader-namespace', 'default'] : [])];
  const running = command.run(args, sink);
  let health: string | null = null;
  for (let i = 0; i < 100 && health === null; i += 1) {
    const line = sink.lines.find((l) => l.includes('fledge controller starting'));
    health = line === undefined ? null : (JSON.parse(line) as { health: string }).health;
    if (health === null) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(health !== null, sink.errors.join('\n'));
  let ready = 0;
  for (let i = 0; i < 100 && ready !== 200; i += 1) {
    ready = (await fetch(`${health}/readyz`)).status;
    if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(ready, 200);
  for (let i = 0; i < 100 && leaderElect && !sink.lines.some((l) => l.includes('"msg":"leading"')); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal((await fetch(`${health}/healthz`)).status, 200);
  assert.ok(stop !== null);
  (stop as () => void)();
  assert.equal(await running, 0);
  assert.ok(sink.lines.some((l) => l.includes('fledge controller stopping')));
  if (leaderElect) assert.ok(sink.lines.some((l) => l.includes('"msg":"leading"')), 'it took the lease');
});
