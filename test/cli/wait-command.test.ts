// `fledge wait` as CI runs it: a child process against the emulator, with the Canary's status
// written by the test (what the controller would write) to reach each exit code on cue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { createApp, kubeconfigFile, runFledge, setImage, writeStatus } from './support/child.ts';

async function cluster(t: Parameters<typeof withEmulator>[0]) {
  const { emulator, kubeConfig } = await withEmulator(t);
  await applyFiles(kubeConfig, crdFiles);
  await createApp(kubeConfig, 'app', 'app:1');
  return { kc: kubeConfig, path: kubeconfigFile(t, emulator.kubeconfig()) };
}

function waitArgs(path: string, ...extra: string[]): string[] {
  return ['wait', 'deployment/app', '-n', 'default', '--kubeconfig', path, '--timeout', '20s', '--poll', '100ms', '--output', 'json', ...extra];
}

/** The revision the child bound to, from its first progress line. */
async function boundRevision(child: ReturnType<typeof runFledge>): Promise<string> {
  const line = await child.line((l) => l.includes('"type":"progress"'));
  return (JSON.parse(line) as { revision: string }).revision;
}

function result(child: ReturnType<typeof runFledge>): Record<string, unknown> {
  const line = child.stdout.find((l) => l.includes('"type":"result"'));
  assert.ok(line !== undefined, `no result line; stderr: ${child.stderr.join('\n')}`);
  return JSON.parse(line) as Record<string, unknown>;
}

test('keeps waiting while the previous revision\'s Succeeded is still in status, then exits 0 when ours is promoted', async (t) => {
  const { kc, path } = await cluster(t);
  await writeStatus(kc, 'app', { phase: 'Succeeded', revision: 'aaaaaaaaaa', lastPromotedRevision: 'aaaaaaaaaa' });
  const child = runFledge(t, waitArgs(path));
  const revision = await boundRevision(child);
  assert.notEqual(revision, 'aaaaaaaaaa');
  await writeStatus(kc, 'app', { phase: 'Progressing', revision, step: 1, canaryWeight: 50, message: 'step 1' });
  await child.line((l) => l.includes('"phase":"Progressing"'));
  assert.equal(child.process.exitCode, null, 'an earlier success must not end the wait');
  await writeStatus(kc, 'app', { phase: 'Succeeded', revision, lastPromotedRevision: revision, step: null, canaryWeight: 0 });
  assert.equal(await child.exited, 0);
  assert.equal(result(child)['outcome'], 'promoted');
});

test('exits 0 at once when the current revision was already promoted', async (t) => {
  const { kc, path } = await cluster(t);
  const probe = runFledge(t, waitArgs(path, '--timeout', '2s'));
  const revision = await boundRevision(probe);
  await writeStatus(kc, 'app', { phase: 'Ready', revision, lastPromotedRevision: revision });
  assert.equal(await probe.exited, 0);
  const again = runFledge(t, waitArgs(path));
  assert.equal(await again.exited, 0);
  assert.equal(result(again)['revision'], revision);
});

test('exits 1 when its revision is rolled back', async (t) => {
  const { kc, path } = await cluster(t);
  const child = runFledge(t, waitArgs(path));
  const revision = await boundRevision(child);
  await writeStatus(kc, 'app', { phase: 'Failed', revision, lastFailedRevision: revision, message: 'failures: canary 8x primary' });
  assert.equal(await child.exited, 1);
  assert.equal(result(child)['outcome'], 'failed');
  assert.match(String(result(child)['message']), /8x primary/);
});

test('exits 1 superseded when a newer revision replaces it mid-wait', async (t) => {
  const { kc, path } = await cluster(t);
  const child = runFledge(t, waitArgs(path));
  const revision = await boundRevision(child);
  await writeStatus(kc, 'app', { phase: 'Progressing', revision, step: 1, canaryWeight: 50 });
  await setImage(kc, 'app', 'app:2');
  assert.equal(await child.exited, 1);
  const outcome = result(child);
  assert.equal(outcome['outcome'], 'superseded');
  assert.notEqual(outcome['newerRevision'], revision);
});

test('exits 2 when the revision has no outcome before the timeout', async (t) => {
  const { path } = await cluster(t);
  const child = runFledge(t, waitArgs(path, '--timeout', '1s'));
  assert.equal(await child.exited, 2);
  assert.equal(result(child)['outcome'], 'timeout');
});

test('exits 3 with --until-paused when the release waits at the promotion gate', async (t) => {
  const { kc, path } = await cluster(t);
  const child = runFledge(t, waitArgs(path, '--until-paused'));
  const revision = await boundRevision(child);
  await writeStatus(kc, 'app', { phase: 'Paused', revision, pausedBy: 'gate', step: 1, canaryWeight: 50, message: 'waiting for fledge promote' });
  assert.equal(await child.exited, 3);
  assert.equal(result(child)['outcome'], 'paused');
});

test('exits 4 on bad usage: no deployment, an unreadable timeout, an unknown flag', async (t) => {
  for (const args of [['wait'], ['wait', 'deployment/app', '--timeout', 'soon'], ['wait', 'deployment/app', '--frobnicate']]) {
    const child = runFledge(t, args);
    assert.equal(await child.exited, 4, args.join(' '));
    assert.ok(child.stderr.some((l) => l.startsWith('fledge:')), child.stderr.join('\n'));
  }
});

test('exits 4 when the Deployment is not released by Fledge', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  await applyFiles(kubeConfig, crdFiles);
  await createApp(kubeConfig, 'app', 'app:1', { 'fledge.dev/canary': 'false' });
  const child = runFledge(t, waitArgs(kubeconfigFile(t, emulator.kubeconfig())));
  assert.equal(await child.exited, 4);
  assert.ok(child.stderr.some((l) => l.includes('fledge.dev/canary')));
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

test('exits 5 when the cluster stays unreachable past the retry budget', async (t) => {
  const port = await closedPort();
  const yaml = [
    'apiVersion: v1', 'kind: Config', 'current-context: gone',
    'clusters:', `- name: gone`, `  cluster: { server: "http://127.0.0.1:${port}" }`,
    'users:', '- name: u', '  user: { token: t }',
    'contexts:', '- name: gone', '  context: { cluster: gone, user: u, namespace: default }',
  ].join('\n');
  const child = runFledge(t, waitArgs(kubeconfigFile(t, yaml), '--retry-for', '1s'));
  assert.equal(await child.exited, 5);
  assert.equal(result(child)['outcome'], 'unreachable');
  assert.ok(child.stderr.some((l) => l.includes('retrying')), 'says it retries before giving up');
});

test('works as a kubectl plugin: `kubectl fledge wait` passes the exit code through', { skip: !existsSync('/usr/bin/kubectl') }, async (t) => {
  const { path } = await cluster(t);
  const dir = mkdtempSync(join(tmpdir(), 'fledge-plugin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(fileURLToPath(new URL('../../bin/fledge.js', import.meta.url)), join(dir, 'kubectl-fledge'));
  const child = spawn('/usr/bin/kubectl', ['fledge', ...waitArgs(path, '--timeout', '1s')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, KUBECONFIG: '' },
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2);
  assert.match(stdout, /"outcome":"timeout"/);
});
