// The controller's most frequent writes (a Canary's status, a TrafficSplit, a scale) go out as
// plain JSON requests: authenticated from the kubeconfig, on the keep-alive pool and behind its
// write fence, named by the replica, with errors mapped as client-node's are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { jsonRequests, mergePatchType, setupTtlMs } from '../../../src/adapters/kube/json-requests.ts';
import { withKeepAlive } from '../../../src/adapters/kube/keep-alive.ts';
import { createApiCaller } from '../../../src/adapters/kube/errors.ts';
import { selfSignedCertificate } from '../../../src/sandbox/emulator/certificate.ts';
import { FledgeError } from '../../../src/errors.ts';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

type Answer = (seen: Seen) => { status: number; body: unknown };

const echo: Answer = (seen) => ({ status: 200, body: { ...(seen.body as object), metadata: { resourceVersion: '7' } } });

/** Records each request, answers with `answer`, counts TCP connections. */
function recorder(answer: Answer): { handler: (req: IncomingMessage, res: ServerResponse) => void; seen: Seen[] } {
  const seen: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text === '' ? undefined : JSON.parse(text) as unknown };
      seen.push(request);
      const { status, body } = answer(request);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  };
  return { handler, seen };
}

async function listening(t: { after(fn: () => unknown): void }, server: Server): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { (server as Server & { closeAllConnections(): void }).closeAllConnections(); server.close(resolve); }));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

function kubeConfig(server: string, cluster: Record<string, unknown> = { skipTLSVerify: true }, user: Record<string, unknown> | null = { token: 'secret-token' }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, ...cluster }],
    users: user === null ? [] : [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', ...(user === null ? {} : { user: 'u' }) }],
    currentContext: 'x',
  });
  return kc;
}

const statusPath = '/apis/fledge.dev/v1alpha1/namespaces/team-a/canaries/shop/status';

test('a write goes out as JSON with the kubeconfig\'s token and the replica\'s name, on one pooled connection, and its answer comes back parsed', async (t) => {
  const { handler, seen } = recorder(echo);
  const { port, connections } = await listening(t, createServer(handler));
  const { kc, close } = withKeepAlive(kubeConfig(`http://127.0.0.1:${port}`), { userAgent: 'fledge/1.2.3 (host-42)' });
  t.after(close);
  const requests = jsonRequests(kc);
  const body = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'shop', namespace: 'team-a', resourceVersion: '6' }, status: { phase: 'Progressing' } };
  const answer = await requests.send('PUT', statusPath, body);
  await requests.send('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/shop/scale', { spec: { replicas: 2 } }, mergePatchType);
  assert.deepEqual(answer, { ...body, metadata: { resourceVersion: '7' } });
  assert.equal(connections(), 1, 'both requests on one keep-alive connection');
  assert.deepEqual(seen.map((s) => [s.method, s.path, s.headers['content-type'], s.headers.authorization, s.headers['user-agent']]), [
    ['PUT', statusPath, 'application/json', 'Bearer secret-token', 'fledge/1.2.3 (host-42)'],
    ['PATCH', '/apis/apps/v1/namespaces/team-a/deployments/shop/scale', mergePatchType, 'Bearer secret-token', 'fledge/1.2.3 (host-42)'],
  ]);
  assert.deepEqual(seen.map((s) => s.body), [body, { spec: { replicas: 2 } }]);
});

test('an error answer maps as client-node\'s do: 409 is a conflict with the server\'s message, 422 a refusal, 503 unavailable', async (t) => {
  const statuses = [409, 422, 503];
  const { handler } = recorder(() => {
    const code = statuses.shift() ?? 500;
    return { status: code, body: { kind: 'Status', status: 'Failure', code, message: `the server said ${code}` } };
  });
  const { port } = await listening(t, createServer(handler));
  const { kc, close } = withKeepAlive(kubeConfig(`http://127.0.0.1:${port}`));
  t.after(close);
  const requests = jsonRequests(kc);
  const caller = createApiCaller();
  const failures: unknown[] = [];
  for (let i = 0; i < 3; i += 1) failures.push(await caller.call('update status of canary team-a/shop', () => requests.send('PUT', statusPath, {})).then(() => null, (error: unknown) => error));
  assert.deepEqual(failures.map((e) => e instanceof FledgeError ? [e.code, e.message] : String(e)), [
    ['FLEDGE_API_CONFLICT', 'update status of canary team-a/shop: HTTP 409: the server said 409'],
    ['FLEDGE_API_REJECTED', 'update status of canary team-a/shop: HTTP 422: the server said 422'],
    ['FLEDGE_API_UNAVAILABLE', 'update status of canary team-a/shop: HTTP 503: the server said 503'],
  ]);
});

test('while the replica may not write, the request is refused unsent (FLEDGE_NOT_LEADER)', async (t) => {
  const { handler, seen } = recorder(echo);
  const { port } = await listening(t, createServer(handler));
  const { kc, close } = withKeepAlive(kubeConfig(`http://127.0.0.1:${port}`), { mayWrite: () => false });
  t.after(close);
  const refused = await createApiCaller().call('update trafficsplit team-a/shop', () => jsonRequests(kc).send('PUT', '/apis/split.smi-spec.io/v1alpha2/namespaces/team-a/trafficsplits/shop', {}))
    .then(() => null, (error: unknown) => error);
  assert.ok(refused instanceof FledgeError, `refused with ${String(refused)}`);
  assert.equal(refused.code, 'FLEDGE_NOT_LEADER');
  assert.equal(seen.length, 0, 'nothing reached the server');
});

/** A loopback port nothing listens on: a server's, once it is closed. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an API server that cannot be reached, or whose certificate the kubeconfig does not trust, is FLEDGE_API_UNAVAILABLE', async (t) => {
  const { handler, seen } = recorder(echo);
  const { cert, key } = selfSignedCertificate();
  const secure = await listening(t, createHttpsServer({ cert, key }, handler));
  const caller = createApiCaller();
  const failures: unknown[] = [];
  // Plain http needs skipTLSVerify (client-node's rule); https here trusts the system's authorities only.
  for (const config of [kubeConfig(`http://127.0.0.1:${await freePort()}`), kubeConfig(`https://127.0.0.1:${secure.port}`, {})]) {
    const { kc, close } = withKeepAlive(config);
    t.after(close);
    failures.push(await caller.call('update status of canary team-a/shop', () => jsonRequests(kc).send('PUT', statusPath, {})).then(() => null, (error: unknown) => error));
  }
  assert.deepEqual(failures.map((e) => e instanceof FledgeError ? e.code : String(e)), ['FLEDGE_API_UNAVAILABLE', 'FLEDGE_API_UNAVAILABLE']);
  assert.match((failures[1] as Error).message, /^update status of canary team-a\/shop: PUT .*: self.signed certificate/);
  assert.equal(seen.length, 0, 'nothing was sent to the untrusted server');
});

test('over https, the certificate authority comes from the kubeconfig', async (t) => {
  const { handler, seen } = recorder(echo);
  const { cert, key } = selfSignedCertificate();
  const { port } = await listening(t, createHttpsServer({ cert, key }, handler));
  const { kc, close } = withKeepAlive(kubeConfig(`https://127.0.0.1:${port}`, { caData: Buffer.from(cert).toString('base64') }));
  t.after(close);
  await jsonRequests(kc).send('PUT', statusPath, { status: {} });
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.headers.authorization, 'Bearer secret-token');
});

test('a server behind a proxy keeps its path: the request goes to the path under it, as client-node sends it', async (t) => {
  const { handler, seen } = recorder(echo);
  const { port } = await listening(t, createServer(handler));
  const { kc, close } = withKeepAlive(kubeConfig(`http://127.0.0.1:${port}/k8s/clusters/c-1/`));
  t.after(close);
  await jsonRequests(kc).send('PUT', statusPath, {});
  assert.equal(seen[0]?.path, `/k8s/clusters/c-1${statusPath}`);
});

test('skipTLSVerify holds without a user in the kubeconfig too, as client-node applies it', async (t) => {
  const { handler, seen } = recorder(echo);
  const { cert, key } = selfSignedCertificate();
  const { port } = await listening(t, createHttpsServer({ cert, key }, handler));
  const { kc, close } = withKeepAlive(kubeConfig(`https://127.0.0.1:${port}`, { skipTLSVerify: true }, null));
  t.after(close);
  await jsonRequests(kc).send('PUT', statusPath, {});
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.headers.authorization, undefined, 'no user, no credentials');
});

test('a success answer that is not JSON (a proxy\'s page) is FLEDGE_API_UNAVAILABLE, not a Canary', async (t) => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>sign in</html>'); });
  });
  const { port } = await listening(t, server);
  const { kc, close } = withKeepAlive(kubeConfig(`http://127.0.0.1:${port}`));
  t.after(close);
  const failed = await createApiCaller().call('update status of canary team-a/shop', () => jsonRequests(kc).send('PUT', statusPath, {})).then(() => null, (error: unknown) => error);
  assert.ok(failed instanceof FledgeError, `failed with ${String(failed)}`);
  assert.equal(failed.code, 'FLEDGE_API_UNAVAILABLE');
  assert.match(failed.message, /is not JSON: <html>sign in/);
});

test('the set-up (certificates, token, agent) serves a second of requests, then a rotated token is used', async (t) => {
  const { handler, seen } = recorder(echo);
  const { port, connections } = await listening(t, createServer(handler));
  let token = 'first-token';
  let setUps = 0;
  // As client-node's providers do: each set-up asks for the current token.
  class Rotating extends KubeConfig {
    override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
      setUps += 1;
      await super.applyToHTTPSOptions(opts);
      (opts.headers as Record<string, string>)['Authorization'] = `Bearer ${token}`;
    }
  }
  const config = new Rotating();
  config.loadFromOptions({ clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  const { kc, close } = withKeepAlive(config);
  t.after(close);
  let now = 1_000_000;
  const clock = { now: () => now };
  // Two callers on one KubeConfig (the controller's status writer and its router) share the set-up.
  const [statusWriter, router] = [jsonRequests(kc, clock), jsonRequests(kc, clock)];
  await statusWriter.send('PUT', statusPath, {});
  token = 'second-token';
  now += setupTtlMs - 1;
  await router.send('PUT', '/apis/split.smi-spec.io/v1alpha2/namespaces/team-a/trafficsplits/shop', {});
  now += 1;
  await statusWriter.send('PUT', statusPath, {});
  await router.send('PUT', '/apis/split.smi-spec.io/v1alpha2/namespaces/team-a/trafficsplits/shop', {});
  assert.equal(setUps, 2, 'one set-up for the first second, one after it');
  assert.deepEqual(seen.map((s) => s.headers.authorization), ['Bearer first-token', 'Bearer first-token', 'Bearer second-token', 'Bearer second-token']);
  assert.equal(connections(), 1, 'every request on the one pooled connection');
});
