// Test doubles for the notifier: local HTTP receivers on 127.0.0.1, a fake Slack Web API, a
// fake clock whose sleep advances it, a pino log sink, and notice builders.
import { after } from 'node:test';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Notifier, ReleaseNotice } from '../../../src/ports.ts';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type Responder = (request: Received, index: number) => Reply;

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly requests: Received[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request and answers with `respond`. */
export async function startReceiver(respond: Responder = () => ({ status: 200, body: 'ok' })): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      const reply = respond(received, requests.length - 1);
      res.writeHead(reply.status ?? 200, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A port that refuses connections: bound, then released. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hooks/refused`;
}

/** A fake Slack Web API: chat.postMessage and chat.update answer ok with a channel id and ts. */
export function slackApi(overrides: (call: SlackCall, index: number) => Reply | null = () => null): Responder {
  let posts = 0;
  return (request, index) => {
    const call = slackCall(request);
    const override = overrides(call, index);
    if (override !== null) return override;
    const ts = call.method === 'chat.update' ? String(call.payload.ts) : `1700000000.${String(++posts).padStart(6, '0')}`;
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: true, channel: 'C0DEPLOYS', ts }) };
  };
}

export interface SlackCall {
  readonly method: string;
  readonly payload: Record<string, unknown>;
  readonly authorization: string | undefined;
}

export function slackCall(request: Received): SlackCall {
  return {
    method: request.path.split('/').pop() ?? '',
    payload: JSON.parse(request.body) as Record<string, unknown>,
    authorization: request.headers.authorization,
  };
}

export interface FakeTime {
  readonly clock: { now(): number };
  /** Records the wait and advances the clock by it; resolves on a later tick. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly sleeps: number[];
}

export function fakeTime(start = Date.UTC(2025, 0, 1, 12)): FakeTime {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    sleeps,
  };
}

export interface LogSink {
  readonly logger: Logger;
  readonly lines: string[];
  /** Parsed lines at or above `level` (pino numbers: 30 info, 40 warn). */
  records(level?: number): Record<string, unknown>[];
}

/** A pino logger at trace level writing every line into an array. */
export function captureLogs(): LogSink {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level: 'trace' }, stream);
  return {
    logger,
    lines,
    records: (level = 0) => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((r) => (r.level as number) >= level),
  };
}

export function notice(overrides: Partial<ReleaseNotice> = {}): ReleaseNotice {
  return {
    namespace: 'shop',
    name: 'checkout',
    revision: '7f9c2ab',
    phase: 'Progressing',
    canaryWeight: 0,
    reason: 'NewRevision',
    message: 'new revision 7f9c2ab: starting a canary run',
    severity: 'Normal',
    at: Date.UTC(2025, 0, 1, 12),
    ...overrides,
  };
}

/** NewRevision, StepAdvanced at each weight, then Promoted. */
export function promotedRelease(weights: readonly number[] = [10, 25, 50], base: Partial<ReleaseNotice> = {}): ReleaseNotice[] {
  return [
    notice({ ...base }),
    ...weights.map((w, i) => notice({ ...base, reason: 'StepAdvanced', canaryWeight: w, message: `step ${i + 1}: no harm evidence, canary at ${w}%` })),
    notice({ ...base, reason: 'Promoted', phase: 'Succeeded', canaryWeight: 0, message: 'promoted 7f9c2ab after 3 steps' }),
  ];
}

/** NewRevision, one StepAdvanced, then RolledBack with the judge's reason. */
export function rolledBackRelease(base: Partial<ReleaseNotice> = {}): ReleaseNotice[] {
  return [
    notice({ ...base }),
    notice({ ...base, reason: 'StepAdvanced', canaryWeight: 10, message: 'step 1: no harm evidence, canary at 10%' }),
    notice({ ...base, reason: 'RolledBack', phase: 'Failed', canaryWeight: 0, severity: 'Warning', message: 'errors: canary fails 8.2× as often as primary (e-value 412 ≥ 40)' }),
  ];
}

/** Waits (bounded) until `check` holds; throws when it does not within `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Starts receivers for one suite and closes them all after it. Call at suite level. */
export function receivers(): (respond?: Responder) => Promise<Receiver> {
  const servers: Receiver[] = [];
  after(async () => Promise.all(servers.map((s) => s.close())));
  return async (respond) => {
    const server = await startReceiver(respond);
    servers.push(server);
    return server;
  };
}

/**
 * Hands a notice to the notifier as the controller's outbox would, keyed by app, revision and
 * reason (and weight for step notices), without waiting for the outcome.
 */
export function send(notifier: Notifier, n: ReleaseNotice): void {
  const key = `${n.namespace}/${n.name}@${n.revision}:${n.reason}${n.reason === 'StepAdvanced' ? `@${n.canaryWeight}` : ''}`;
  notifier.deliver({ key, notice: n }, () => undefined);
}
