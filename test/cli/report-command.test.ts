// `fledge report`, `fledge wait --report` and `fledge dashboard` as a person or CI runs them:
// child processes against the emulator, the Canary's status written by the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { createApp, kubeconfigFile, runFledge, writeStatus } from './support/child.ts';

async function cluster(t: Parameters<typeof withEmulator>[0]) {
  const { emulator, kubeConfig } = await withEmulator(t);
  await applyFiles(kubeConfig, crdFiles);
  await createApp(kubeConfig, 'app', 'app:1');
  return { kc: kubeConfig, path: kubeconfigFile(t, emulator.kubeconfig()) };
}

function scratch(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-report-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A finished run of three looks, as the controller records it. */
function history(revision: string) {
  return {
    current: null,
    last: {
      revision, startedAt: '2026-11-23T10:00:00.000Z', endedAt: '2026-11-23T10:02:00.000Z', outcome: 'Failed', rollbackAt: 40, thinned: 0,
      looks: {
        atMs: '0,60000,120000', weight: '10,10,0', step: '1,1,0', phase: 'Progressing,Progressing,Failed',
        canaryRequests: ',500,480', primaryRequests: ',4500,4520',
        canaryEvents: { failures: ',20,25' }, primaryEvents: { failures: ',4,5' },
        evidence: { errors: '1,8.5,55' }, notes: [{ look: 2, text: `revision ${revision} rolled back: errors 5% vs 0.1%` }],
      },
    },
  };
}

test('fledge wait --report writes the report when the wait ends, here in a rollback (exit 1)', async (t) => {
  const { kc, path } = await cluster(t);
  const file = join(scratch(t), 'release.html');
  const child = runFledge(t, ['wait', 'deployment/app', '-n', 'default', '--kubeconfig', path, '--timeout', '20s', '--poll', '100ms', '--report', file]);
  await writeStatus(kc, 'app', { phase: 'Progressing', revision: 'placeholder' });
  // The wait binds to the revision the Deployment has (its log says which); then that revision fails.
  const deadline = Date.now() + 15_000;
  let revision = '';
  while (revision === '' && Date.now() < deadline) {
    const line = child.stderr.concat(child.stdout).find((l) => /revision [0-9a-f]{10}/.test(l));
    revision = /revision ([0-9a-f]{10})/.exec(line ?? '')?.[1] ?? '';
    if (revision === '') await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.notEqual(revision, '', `bound revision; ${child.stdout.join('\n')}`);
  await writeStatus(kc, 'app', { phase: 'Failed', revision, lastFailedRevision: revision, message: `revision ${revision} rolled back: errors 5% vs 0.1%`, history: history(revision) });
  assert.equal(await child.exited, 1, child.stderr.join('\n'));
  assert.ok(existsSync(file), child.stderr.join('\n'));
  const html = readFileSync(file, 'utf8');
  assert.match(html, /uPlot/);
  assert.match(html, new RegExp(`revision ${revision} rolled back`));
  assert.ok(child.stderr.some((l) => l.includes(`report written to ${file}`)));
});

test('fledge report writes one self-contained file, and says so when there is no Canary', async (t) => {
  const { kc, path } = await cluster(t);
  await writeStatus(kc, 'app', { phase: 'Failed', revision: 'abcdef0123', message: 'revision abcdef0123 rolled back', history: history('abcdef0123') });
  const file = join(scratch(t), 'report.html');
  const ok = runFledge(t, ['report', 'deployment/app', '-n', 'default', '--kubeconfig', path, '-o', file]);
  assert.equal(await ok.exited, 0, ok.stderr.join('\n'));
  const html = readFileSync(file, 'utf8');
  assert.match(html, /"atMs":\[0,60000,120000\]/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/);
  const missing = runFledge(t, ['report', 'deployment/nothing', '-n', 'default', '--kubeconfig', path]);
  assert.equal(await missing.exited, 1);
  assert.match(missing.stderr.join('\n'), /no Canary default\/nothing/);
});

test('fledge dashboard prints its loopback address, serves the list, and stops at Ctrl-C', async (t) => {
  const { kc, path } = await cluster(t);
  await writeStatus(kc, 'app', { phase: 'Ready', revision: 'abcdef0123', message: 'primary serves revision abcdef0123' });
  const child = runFledge(t, ['dashboard', '-n', 'default', '--kubeconfig', path, '--port', '0']);
  const line = await child.line((l) => l.includes('fledge dashboard: http://'));
  const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1] ?? '';
  const rows = (await (await fetch(`${url}api/releases`)).json()) as Array<{ name: string; phase: string; message: string }>;
  assert.deepEqual(rows.map((r) => [r.name, r.phase, r.message]), [['app', 'Ready', 'primary serves revision abcdef0123']]);
  assert.match(await (await fetch(url)).text(), /Fledge releases/);
  child.process.kill('SIGINT');
  assert.equal(await child.exited, 0);
  const bad = runFledge(t, ['dashboard', '--kubeconfig', path, '--port', 'eighty']);
  assert.equal(await bad.exited, 4);
});

test('fledge dashboard uses the person\'s credentials: without access to Canaries it says so and exits 1', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  const { CoreV1Api } = await import('@kubernetes/client-node');
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'nobody' } } });
  const path = kubeconfigFile(t, emulator.serviceAccountKubeconfig('default', 'nobody'));
  const child = runFledge(t, ['dashboard', '-n', 'default', '--kubeconfig', path, '--port', '0']);
  assert.equal(await child.exited, 1);
  assert.match(child.stderr.join('\n'), /forbidden|cannot list/i);
});
