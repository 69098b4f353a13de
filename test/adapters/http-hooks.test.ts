// The HTTP HookRunner against real receivers on 127.0.0.1: every failure mode ends in a bounded,
// clear reply, nothing hangs, and requests are signed like notification webhooks.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpHookRunner, redactReply, type HttpHookRunnerOptions } from '../../src/adapters/http-hooks.ts';
import type { HookPayload, HookReply, HookRequest } from '../../src/ports.ts';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

async function receiver(t: TestContext, handle: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      handle(req, res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=s3cret`, received };
}

const payload: HookPayload = {
  hook: 'pre-rollout', namespace: 'default', app: 'podinfo', revision: 'abc123', phase: 'Progressing', weight: 0, step: 0, steps: 2,
  interval: null, evidence: [], message: 'canary ready', at: 1_800_000_000_000,
};

function call(options: HttpHookRunnerOptions, request: Partial<HookRequest> & { url: string }): Promise<HookReply> {
  const runner = createHttpHookRunner({ sleep: async () => undefined, ...options });
  return new Promise((resolve) => runner.run({ key: 'k-1', payload, timeoutMs: 2000, ...request }, resolve));
}

describe('the HTTP hook runner', () => {
  it('POSTs the signed payload with its idempotency key, and a 2xx passes', async (t) => {
    const r = await receiver(t, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    const reply = await call({ secret: 'shh' }, { url: r.url });
    assert.deepEqual(reply, { ok: true, final: true, detail: 'HTTP 200: {"ok":true}' });
    const [got] = r.received;
    assert.ok(got !== undefined);
    const expected = `sha256=${createHmac('sha256', 'shh').update(got.body).digest('hex')}`;
    const signature = String(got.headers['x-fledge-signature']);
    assert.ok(timingSafeEqual(Buffer.from(expected), Buffer.from(signature)), 'the signature verifies over the raw body');
    assert.equal(got.headers['idempotency-key'], 'k-1');
    assert.equal(got.headers['x-fledge-delivery'], 'k-1');
    assert.equal(got.headers['x-fledge-hook'], 'pre-rollout');
    const body = JSON.parse(got.body);
    assert.equal(body.id, 'k-1');
    assert.equal(body.app, 'podinfo');
    assert.equal(String(body.timestamp), got.headers['x-fledge-timestamp']);
  });

  it('retries a 5xx within its bound, then fails with the reply, not retrying forever', async (t) => {
    const r = await receiver(t, (_req, res) => res.writeHead(503).end('overloaded'));
    const reply = await call({ retries: 2 }, { url: r.url });
    assert.equal(r.received.length, 3);
    assert.deepEqual(reply, { ok: false, final: false, detail: 'HTTP 503: overloaded (after 3 attempts)' });
  });

  it('passes when a retry succeeds', async (t) => {
    const r = await receiver(t, (_req, res, n) => res.writeHead(n === 1 ? 502 : 204).end());
    const reply = await call({}, { url: r.url });
    assert.equal(reply.ok, true);
    assert.equal(r.received.length, 2);
  });

  it('does not retry a 4xx: it is final', async (t) => {
    const r = await receiver(t, (_req, res) => res.writeHead(403).end('forbidden'));
    const reply = await call({}, { url: r.url });
    assert.deepEqual(reply, { ok: false, final: true, detail: 'HTTP 403: forbidden' });
    assert.equal(r.received.length, 1);
  });

  it('never follows a redirect (the signed body would go somewhere unchecked)', async (t) => {
    const elsewhere = await receiver(t, (_req, res) => res.writeHead(200).end());
    const r = await receiver(t, (_req, res) => res.writeHead(307, { location: elsewhere.url }).end());
    const reply = await call({}, { url: r.url });
    assert.deepEqual(reply, { ok: false, final: true, detail: 'HTTP 307: redirect not followed' });
    assert.equal(elsewhere.received.length, 0);
  });

  it('times out a slow hook after the per-call timeout, each attempt, and says so', async (t) => {
    const r = await receiver(t, () => undefined); // never answers
    const started = Date.now();
    const reply = await call({ retries: 1 }, { url: r.url, timeoutMs: 200 });
    assert.deepEqual(reply, { ok: false, final: false, detail: 'timed out after 0.2s (after 2 attempts)' });
    assert.ok(Date.now() - started < 2000);
  });

  it('times out a hook that answers 200 and then trickles its body forever', async (t) => {
    const r = await receiver(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a');
    });
    const reply = await call({ retries: 0 }, { url: r.url, timeoutMs: 200 });
    assert.equal(reply.ok, false);
    assert.match(reply.detail, /timed out after 0.2s/);
  });

  it('reads a huge reply only up to the cap, and shows a short excerpt', async (t) => {
    let sent = 0;
    const r = await receiver(t, (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(64 * 1024);
      const more = (): void => {
        while (sent < 50 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 50 * 1024 * 1024) res.once('drain', more);
        else res.end();
      };
      res.on('error', () => undefined);
      more();
    });
    const reply = await call({ retries: 0, maxReplyBytes: 1024 }, { url: r.url });
    assert.equal(reply.ok, false);
    assert.ok(reply.detail.length < 300, reply.detail);
    assert.match(reply.detail, /^HTTP 500: x+… \(reply cut at the size cap\)$/);
    assert.ok(sent < 50 * 1024 * 1024, 'the runner stopped reading long before the end');
  });

  it('refuses an HTML page, even with 200: a proxy or login page is not a hook saying yes', async (t) => {
    const r = await receiver(t, (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>'));
    const reply = await call({}, { url: r.url });
    assert.deepEqual(reply, { ok: false, final: true, detail: 'HTTP 200: an HTML page, not a hook reply' });
  });

  it('reports an unreachable hook without its URL', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const closed = `http://127.0.0.1:${port}/hook?token=s3cret`;
    const reply = await call({ retries: 1 }, { url: closed });
    assert.deepEqual(reply, { ok: false, final: false, detail: 'not reachable (ECONNREFUSED) (after 2 attempts)' });
    assert.ok(!reply.detail.includes('s3cret'));
  });

  it('redacts URLs and token-like values from replies, and bounds them', () => {
    const text = 'failed: see https://ops.example.com/runs/42?token=abc and token=xyz password: hunter2\n\u0000' + 'y'.repeat(400);
    const shown = redactReply(text);
    assert.ok(!shown.includes('abc') && !shown.includes('xyz') && !shown.includes('hunter2') && !shown.includes('/runs/42'), shown);
    assert.match(shown, /https:\/\/ops\.example\.com\/…/);
    assert.ok(shown.length <= 200);
  });

  it('calls back once, later, never from within run()', async (t) => {
    const r = await receiver(t, (_req, res) => res.writeHead(200).end());
    const runner = createHttpHookRunner();
    let calls = 0;
    const done = new Promise<void>((resolve) => runner.run({ key: 'k', url: r.url, payload, timeoutMs: 1000 }, () => {
      calls += 1;
      resolve();
    }));
    assert.equal(calls, 0);
    await done;
    assert.equal(calls, 1);
  });
});
