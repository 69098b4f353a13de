import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { selfSignedCertificate } from '../../../src/sandbox/emulator/certificate.ts';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { copyKubeConfig, withKeepAlive } from '../../../src/adapters/kube/keep-alive.ts';
import { createApiCaller } from '../../../src/adapters/kube/errors.ts';
import { FledgeError } from '../../../src/errors.ts';

/** A stand-in API server on loopback: answers every request with a Namespace once it has read the body, records each request's method and User-Agent, and counts TCP connections. */
async function standIn(t: { after(fn: () => unknown): void }): Promise<{ url: string; connections: () => number; seen: Array<{ method: string; userAgent: string }> }> {
  let connections = 0;
  const seen: Array<{ method: string; userAgent: string }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', userAgent: req.headers['user-agent'] ?? '' });
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }));
    });
  });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, seen };
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
  const server = await standIn(t);
  const { kc, close } = withKeepAlive(kubeConfig(server.url));
  t.after(close);
  await readTwentyTimes(kc);
  assert.equal(server.connections(), 1);
});

test('without it, client-node opens a connection per call (what the pool saves)', async (t) => {
  const server = await standIn(t);
  await readTwentyTimes(kubeConfig(server.url));
  assert.equal(server.connections(), 20);
});

test('while the replica may not write, a write is refused unsent (FLEDGE_NOT_LEADER) and reads still go out; every request names the replica', async (t) => {
  const server = await standIn(t);
  let mayWrite = true;
  const { kc, close } = withKeepAlive(kubeConfig(server.url), { mayWrite: () => mayWrite, userAgent: 'fledge/1.2.3 (host-42)' });
  t.after(close);
  const core = kc.makeApiClient(CoreV1Api);
  const caller = createApiCaller();
  await caller.call('create Namespace a', () => core.createNamespace({ body: { metadata: { name: 'a' } } }));
  mayWrite = false;
  const refused = await caller.call('create Namespace b', () => core.createNamespace({ body: { metadata: { name: 'b' } } })).then(() => null, (error: unknown) => error);
  assert.ok(refused instanceof FledgeError, `refused with ${String(refused)}`);
  assert.equal(refused.code, 'FLEDGE_NOT_LEADER');
  assert.match(refused.message, /^create Namespace b: .*not leading any more: POST not sent/);
  await core.readNamespace({ name: 'default' });
  assert.deepEqual(server.seen, [{ method: 'POST', userAgent: 'fledge/1.2.3 (host-42)' }, { method: 'GET', userAgent: 'fledge/1.2.3 (host-42)' }]);
});

test('a write allowed when made but not when its connection comes (it waited past the lease) is refused unsent', async (t) => {
  const server = await standIn(t);
  let checks = 0;
  const { kc, close } = withKeepAlive(kubeConfig(server.url), { mayWrite: () => (checks += 1) === 1 });
  t.after(close);
  const refused = await createApiCaller().call('create Namespace a', () => kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'a' } } })).then(() => null, (error: unknown) => error);
  assert.ok(refused instanceof FledgeError && refused.code === 'FLEDGE_NOT_LEADER', `refused with ${String(refused)}`);
  assert.equal(checks, 2, 'asked as the request was made and as it got its connection');
  await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
  assert.deepEqual(server.seen.map((r) => r.method), ['GET'], 'the write never reached the server; the next read did');
});

test('on a connection in use already, a write is checked again as it gets it', async (t) => {
  const server = await standIn(t);
  let allowed = true;
  let checks = 0;
  const { kc, close } = withKeepAlive(kubeConfig(server.url), { mayWrite: () => { checks += 1; const now = allowed; allowed = false; return now; } });
  t.after(close);
  const core = kc.makeApiClient(CoreV1Api);
  await core.readNamespace({ name: 'default' });
  await assert.rejects(createApiCaller().call('create Namespace a', () => core.createNamespace({ body: { metadata: { name: 'a' } } })), /not leading any more: POST not sent/);
  assert.equal(checks, 2);
  await core.readNamespace({ name: 'default' });
  assert.deepEqual(server.seen.map((r) => r.method), ['GET', 'GET']);
});

test('on a new TLS connection, a write is checked once the handshake is done, not when TCP connects', async (t) => {
  const { cert, key } = selfSignedCertificate();
  const seen: string[] = [];
  let mayWrite = true;
  const server = createHttpsServer({ cert, key }, (req, res) => {
    seen.push(req.method ?? '');
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A relay in front of it: the client's TCP connection is up at once, the TLS handshake only
  // after the relay dials the server, 200 ms later; the lease ends just before that.
  const pipes: Socket[] = [];
  const relay = createNetServer((client) => {
    pipes.push(client);
    setTimeout(() => {
      mayWrite = false;
      const upstream = connect((server.address() as AddressInfo).port, '127.0.0.1');
      pipes.push(upstream);
      client.pipe(upstream).pipe(client);
    }, 200);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { for (const pipe of pipes) pipe.destroy(); server.closeAllConnections(); server.close(() => relay.close(resolve)); }));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `https://127.0.0.1:${(relay.address() as AddressInfo).port}`, caData: Buffer.from(cert).toString('base64') }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const { kc: fencedKc, close } = withKeepAlive(kc, { mayWrite: () => mayWrite });
  t.after(close);
  await assert.rejects(createApiCaller().call('create Namespace a', () => fencedKc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'a' } } })), /not leading any more: POST not sent/);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(seen, [], 'the refused write never reached the server');
});

test('a copied KubeConfig sets up its requests apart: fencing the copy leaves the original writing', async (t) => {
  const server = await standIn(t);
  const original = kubeConfig(server.url);
  const { kc: copy, close } = withKeepAlive(copyKubeConfig(original), { mayWrite: () => false });
  t.after(close);
  await assert.rejects(copy.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'a' } } }));
  await original.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'a' } } });
  assert.deepEqual(server.seen.map((r) => r.method), ['POST']);
});

test('the copy is of the original\'s class: a subclass that counts requests still counts them', async (t) => {
  const server = await standIn(t);
  let counted = 0;
  class Counting extends KubeConfig {
    override applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
      counted += 1;
      return super.applySecurityAuthentication(context);
    }
  }
  const original = new Counting();
  original.loadFromOptions({ clusters: kubeConfig(server.url).clusters, users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  const { kc: copy, close } = withKeepAlive(copyKubeConfig(original));
  t.after(close);
  await copy.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
  assert.equal(counted, 1);
  assert.equal(server.seen.length, 1);
});

test('more calls at once than any pool would keep connections for all succeed, answered in chunks as the API server answers', async (t) => {
  // node-fetch (under client-node's API classes) takes a chunked answer whose connection has
  // already been handed to a waiting request for one cut short ("Premature close"): a pool must
  // never make requests wait for a connection.
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.write(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }));
      res.end();
    }, 5));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const { kc, close } = withKeepAlive(kubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  t.after(close);
  const core = kc.makeApiClient(CoreV1Api);
  for (let round = 0; round < 3; round += 1) {
    const answers = await Promise.allSettled(Array.from({ length: 150 }, () => core.readNamespace({ name: 'default' })));
    const failed = answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason));
    assert.deepEqual(failed.slice(0, 3), [], `${failed.length} of 150 calls failed in round ${round + 1}`);
  }
});
