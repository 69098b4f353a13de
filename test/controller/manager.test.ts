import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { runManager } from '../../src/controller/manager.ts';

const noMetrics = { measure: async () => { throw new Error('not measured in this test'); } };

/** The manager's log lines, parsed, and the health URL once it says it is starting. */
function capture(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

async function eventually<T>(read: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out');
}

test('the manager serves readiness once synced, and an aborted signal stops it cleanly with its listeners closed', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await applyFiles(kubeConfig, crdFiles);
  const abort = new AbortController();
  const { log, lines } = capture();
  let closed = false;
  const running = runManager({
    kubeConfig, log, signal: abort.signal, leaderElection: null,
    controller: { metrics: noMetrics, resyncMs: 1000 },
    probes: { healthAddr: '127.0.0.1:0', metricsAddr: '127.0.0.1:0' },
    close: async () => { closed = true; },
  });
  const health = await eventually(() => lines.find((l) => l['msg'] === 'fledge controller starting')?.['health'] as string | undefined);
  await eventually(async () => ((await fetch(`${health}/readyz`)).status === 200 ? true : undefined));
  abort.abort();
  assert.equal(await running, 'stopped');
  assert.equal(closed, true, 'the close hook ran');
  await assert.rejects(fetch(`${health}/healthz`), 'the health listener is closed');
});

test('a signal aborted before the manager starts returns at once without leading or starting the controller', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const abort = new AbortController();
  abort.abort();
  const { log, lines } = capture();
  const exit = await runManager({
    kubeConfig, log, signal: abort.signal, leaderElection: { namespace: 'default', name: 'fledge-controller', identity: 'a' },
    controller: { metrics: noMetrics }, probes: { healthAddr: '127.0.0.1:0', metricsAddr: '127.0.0.1:0' },
  });
  assert.equal(exit, 'stopped');
  assert.ok(!lines.some((l) => l['msg'] === 'leading'));
});

test('without the TrafficSplit CRD installed the controller still becomes ready (that watch is optional)', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  await applyFiles(kubeConfig, crdFiles.filter((file) => file.pathname.includes('canary')));
  const abort = new AbortController();
  const { log, lines } = capture();
  const running = runManager({
    kubeConfig, log, signal: abort.signal, leaderElection: null,
    controller: { metrics: noMetrics, resyncMs: 1000 },
    probes: { healthAddr: '127.0.0.1:0', metricsAddr: '127.0.0.1:0' },
  });
  const health = await eventually(() => lines.find((l) => l['msg'] === 'fledge controller starting')?.['health'] as string | undefined);
  await eventually(async () => ((await fetch(`${health}/readyz`)).status === 200 ? true : undefined));
  abort.abort();
  assert.equal(await running, 'stopped');
});
