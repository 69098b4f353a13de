import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { withKeepAlive } from '../../../src/adapters/kube/keep-alive.ts';

/** A stand-in API server on loopback that answers every GET with a Namespace and counts TCP connections. */
async function countingServer(t: { after(fn: () => unknown): void }): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }));
  });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

function kubeConfig(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function readTwentyTimes(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (let i = 0; i < 20; i += 1) await core.readNamespace({ name: 'default' });
}

test('twenty API calls share one keep-alive connection instead of opening twenty', async (t) => {
  const server = await countingServer(t);
  const { kc, close } = withKeepAlive(kubeConfig(server.url));
  t.after(close);
  await readTwentyTimes(kc);
  assert.equal(server.connections(), 1);
});

test('without it, client-node opens a connection per call (what the pool saves)', async (t) => {
  const server = await countingServer(t);
  await readTwentyTimes(kubeConfig(server.url));
  assert.equal(server.connections(), 20);
});
