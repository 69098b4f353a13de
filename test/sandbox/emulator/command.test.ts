import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulatorCommand } from '../../../src/cli/emulator-command.ts';
import { startEmulator, type EmulatorOptions } from '../../../src/sandbox/emulator/index.ts';
import { AuthenticationV1Api, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {}, isTty: false } };
}

void test('fledge emulator writes the kubeconfig under the working directory and stops when asked', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fledge-emulator-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const started: EmulatorOptions[] = [];
  let served = '';
  const command = createEmulatorCommand({
    start: (options) => { started.push(options); return startEmulator(options); },
    untilStopped: async () => {
      const kubeconfig = await readFile(join(dir, '.fledge/kubeconfig'), 'utf8');
      // Over HTTPS with the emulator's certificate as CA, as kubectl would connect.
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfig);
      served = (await kc.makeApiClient(VersionApi).getCode()).gitVersion;
      return 'SIGTERM';
    },
    cwd: () => dir,
  });
  const sink = io();
  assert.equal(await command.run(['--pod-ready-delay', '1.5s'], sink.io), 0);
  assert.equal(started[0]!.podReadyDelayMs, 1500);
  assert.match(served, /^v1\.32/);
  assert.match(sink.out[0]!, /^Kubernetes API emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(sink.out[1], `kubeconfig: ${join(dir, '.fledge/kubeconfig')}`);
  assert.match(sink.out[2]!, /kubectl --kubeconfig .* get ns/);
});

void test('fledge emulator --service-account writes a kubeconfig that authenticates as the ServiceAccount once it exists', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fledge-emulator-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let user = '';
  const command = createEmulatorCommand({
    start: startEmulator,
    untilStopped: async () => {
      const admin = new KubeConfig();
      admin.loadFromFile(join(dir, '.fledge/kubeconfig'));
      await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'robot' } } });
      const robot = new KubeConfig();
      robot.loadFromFile(join(dir, '.fledge/default-robot.kubeconfig'));
      const review = await robot.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
      user = review.status?.userInfo?.username ?? '';
      return 'SIGTERM';
    },
    cwd: () => dir,
  });
  const sink = io();
  assert.equal(await command.run(['--service-account', 'default/robot'], sink.io), 0);
  assert.equal(user, 'system:serviceaccount:default:robot');
  assert.equal(sink.out[3], `kubeconfig for system:serviceaccount:default:robot: ${join(dir, '.fledge/default-robot.kubeconfig')} (valid once the ServiceAccount exists)`);
});

void test('fledge emulator exits 1 with the reason when it cannot listen', async () => {
  const sink = io();
  const command = createEmulatorCommand({ start: () => Promise.reject(new Error('listen EADDRINUSE')), untilStopped: () => Promise.resolve('SIGINT'), cwd: () => '/' });
  assert.equal(await command.run(['--port', '6443'], sink.io), 1);
  assert.match(sink.err.join('\n'), /cannot listen on 127.0.0.1:6443: listen EADDRINUSE/);
});

void test('fledge emulator refuses bad flags with exit 4 and its usage', async () => {
  for (const args of [['--port', 'x'], ['--pod-ready-delay', 'soon'], ['--unknown'], ['--service-account', 'no-namespace']]) {
    const sink = io();
    const command = createEmulatorCommand({ start: () => Promise.reject(new Error('must not start')), untilStopped: () => Promise.resolve('SIGINT'), cwd: () => '/' });
    assert.equal(await command.run(args, sink.io), 4, args.join(' '));
    assert.match(sink.err.join('\n'), /Usage: fledge emulator/);
  }
});
