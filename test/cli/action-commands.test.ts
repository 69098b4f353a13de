import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatus, type CanaryStatus } from '../../src/adapters/kube/canary-resource.ts';
import { applicability } from '../../src/cli/action-commands.ts';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { createApp, kubeconfigFile, readCanary, runFledge, writeStatus } from './support/child.ts';

function status(fields: Record<string, unknown>): CanaryStatus {
  return parseStatus(fields) as CanaryStatus;
}

const progressing = status({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: 2, canaryWeight: 20 });
const notReady = status({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: null });
const atGate = status({ phase: 'Paused', revision: 'bbbbbbbbbb', step: 4, canaryWeight: 50, pausedBy: 'gate' });
const userPaused = status({ phase: 'Paused', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 20, pausedBy: 'user', userPaused: true });
const failed = status({ phase: 'Failed', revision: 'bbbbbbbbbb', lastFailedRevision: 'bbbbbbbbbb' });
const succeeded = status({ phase: 'Succeeded', revision: 'bbbbbbbbbb', lastPromotedRevision: 'bbbbbbbbbb' });

void describe('which requests can apply', () => {
  const table = [
    { verb: 'promote', status: progressing, ok: true },
    { verb: 'promote', status: atGate, ok: true },
    { verb: 'promote', status: notReady, ok: false },
    { verb: 'promote', status: succeeded, ok: false },
    { verb: 'abort', status: progressing, ok: true },
    { verb: 'abort', status: status({ phase: 'Promoting', revision: 'bbbbbbbbbb' }), ok: true },
    { verb: 'abort', status: failed, ok: false },
    { verb: 'retry', status: failed, ok: true },
    { verb: 'retry', status: progressing, ok: false },
    { verb: 'pause', status: progressing, ok: true },
    { verb: 'pause', status: userPaused, ok: false },
    { verb: 'resume', status: userPaused, ok: true },
    { verb: 'resume', status: atGate, ok: false },
    { verb: 'resume', status: progressing, ok: false },
  ] as const;
  for (const row of table) {
    void it(`${row.verb} ${row.ok ? 'applies' : 'is refused'} in phase ${row.status.phase}${row.status.pausedBy === null ? '' : ` (${row.status.pausedBy})`}${row.status.step === null ? ' before the first step' : ''}`, () => {
      assert.equal(applicability(row.verb, row.status).ok, row.ok);
    });
  }

  void it('tells a person at the promotion gate to promote rather than resume', () => {
    const verdict = applicability('resume', atGate);
    assert.ok(!verdict.ok && verdict.why.includes('fledge promote'));
  });

  void it('refuses everything before the controller has written a status', () => {
    assert.equal(applicability('promote', undefined).ok, false);
  });
});

async function cluster(t: Parameters<typeof withEmulator>[0]) {
  const { emulator, kubeConfig } = await withEmulator(t);
  await applyFiles(kubeConfig, crdFiles);
  await createApp(kubeConfig, 'app', 'app:1');
  return { kc: kubeConfig, path: kubeconfigFile(t, emulator.kubeconfig()) };
}

test('fledge promote on a running canary says what will happen and writes a request the controller reads', async (t) => {
  const { kc, path } = await cluster(t);
  await writeStatus(kc, 'app', { phase: 'Paused', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 50, pausedBy: 'gate' });
  const child = runFledge(t, ['promote', 'app', '-n', 'default', '--kubeconfig', path]);
  assert.equal(await child.exited, 0, child.stderr.join('\n'));
  assert.match(child.stdout.join('\n'), /will promote revision bbbbbbbbbb/);
  const request = JSON.parse((await readCanary(kc, 'app')).metadata.annotations?.['fledge.dev/request'] ?? '{}') as { id?: string; verb?: string };
  assert.equal(request.verb, 'promote');
  assert.match(request.id ?? '', /^[0-9a-f-]{36}$/);
});

test('fledge promote refuses with a clear message when the canary is not running, writing nothing', async (t) => {
  const { kc, path } = await cluster(t);
  await writeStatus(kc, 'app', { phase: 'Succeeded', revision: 'bbbbbbbbbb', lastPromotedRevision: 'bbbbbbbbbb' });
  const child = runFledge(t, ['promote', 'deployment/app', '--kubeconfig', path]);
  assert.equal(await child.exited, 1);
  assert.match(child.stderr.join('\n'), /cannot promote default\/app: no release is running \(phase Succeeded\)/);
  assert.equal((await readCanary(kc, 'app')).metadata.annotations?.['fledge.dev/request'], undefined);
});

test('fledge status lists Canaries with phase, weight, step and the latest reason', async (t) => {
  const { kc, path } = await cluster(t);
  await writeStatus(kc, 'app', { phase: 'Progressing', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 50, message: 'no harm seen yet' });
  const child = runFledge(t, ['status', '-A', '--kubeconfig', path]);
  assert.equal(await child.exited, 0, child.stderr.join('\n'));
  assert.match(child.stdout[0] ?? '', /^NAMESPACE\s+NAME\s+PHASE\s+WEIGHT\s+STEP/);
  assert.match(child.stdout[1] ?? '', /^default\s+app\s+Progressing\s+50%\s+1\/1\s+bbbbbbbbbb.*no harm seen yet$/);
});
