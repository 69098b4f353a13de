// `fledge loadtester`'s HTTP service: a rollout hook (or a person) POSTs /load with a target URL
// and a rate, and load runs in the background for the interval the hook payload names; the
// answer comes at once (202), so the hook never waits for the load. Targets must match an
// allow-list entry (a load generator is otherwise an open relay); with a secret, requests must
// carry a valid X-Fledge-Signature, the same HMAC as Fledge's hooks and webhooks (docs/hooks.md).
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { signBody } from '../adapters/notify/json-webhook.ts';
import { parseDuration } from '../config/values.ts';
import { filterTargets } from '../controller/allow-list.ts';
import type { LoadJobs } from './jobs.ts';

export interface LoadTesterOptions {
  readonly jobs: LoadJobs;
  /** Target URL prefixes load may be sent to (matched like the controller's --webhook-allow). */
  readonly allow: readonly string[];
  /** HMAC key; when set, unsigned or badly signed requests are refused (401). */
  readonly secret?: string | undefined;
  readonly now?: () => number;
}

const maxBodyBytes = 64 * 1024;
/** Without `duration`, a rollout hook's interval × this: the next interval's call replaces the job, so load has no gaps. */
const overlap = 1.5;
const defaultDurationMs = 60_000;

type Reply = { readonly status: number; readonly body: Record<string, unknown> };

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

function signedOk(options: LoadTesterOptions, req: IncomingMessage, body: string): boolean {
  if (options.secret === undefined || options.secret === '') return true;
  const given = String(req.headers['x-fledge-signature'] ?? '');
  const expected = signBody(options.secret, body);
  const stamp = Number(req.headers['x-fledge-timestamp']);
  const fresh = Number.isFinite(stamp) && Math.abs((options.now ?? Date.now)() / 1000 - stamp) <= 300;
  return fresh && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

function intervalOf(body: string): number | null {
  try {
    const parsed = JSON.parse(body) as { interval?: { durationMs?: unknown } | null };
    const ms = parsed.interval?.durationMs;
    return typeof ms === 'number' && ms > 0 ? ms : null;
  } catch {
    return null;
  }
}

function durationOf(query: URLSearchParams, body: string): number | null {
  const text = query.get('duration');
  if (text !== null) return parseDuration(text);
  const interval = intervalOf(body);
  return interval === null ? defaultDurationMs : Math.round(interval * overlap);
}

function startLoad(options: LoadTesterOptions, query: URLSearchParams, body: string): Reply {
  const target = query.get('target') ?? '';
  const refused = filterTargets([target], options.allow).refused[0];
  if (refused !== undefined) return { status: 403, body: { error: `target ${refused.message} (loadtester --allow)` } };
  const rate = Number(query.get('rate') ?? '10');
  const durationMs = durationOf(query, body);
  if (durationMs === null) return { status: 400, body: { error: 'duration is not a duration (such as 30s)' } };
  const outcome = options.jobs.start({ target, rate, durationMs });
  if (outcome.kind === 'refused') return { status: 400, body: { error: outcome.why } };
  return { status: 202, body: { started: true, replaced: outcome.replaced, rate, durationMs } };
}

function readRoute(options: LoadTesterOptions, method: string, path: string): Reply | null {
  if (method === 'GET' && path === '/healthz') return { status: 200, body: { ok: true } };
  if (method === 'GET' && path === '/jobs') return { status: 200, body: { jobs: options.jobs.list() } };
  const known = method === 'POST' && (path === '/load' || path === '/stop');
  return known ? null : { status: 404, body: { error: 'POST /load or /stop; GET /jobs or /healthz' } };
}

async function route(options: LoadTesterOptions, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://loadtester');
  const read = readRoute(options, req.method ?? 'GET', url.pathname);
  if (read !== null) return read;
  const body = await readBody(req);
  if (body === null) return { status: 413, body: { error: `body larger than ${maxBodyBytes} bytes` } };
  if (!signedOk(options, req, body)) return { status: 401, body: { error: 'missing or bad X-Fledge-Signature' } };
  if (url.pathname === '/stop') {
    options.jobs.stop(url.searchParams.get('target') ?? '');
    return { status: 200, body: { stopped: true } };
  }
  return startLoad(options, url.searchParams, body);
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
}

/** The service, not listening yet (`listen` is the caller's). */
export function createLoadTesterServer(options: LoadTesterOptions): Server {
  return createServer((req, res) => {
    route(options, req).then((reply) => send(res, reply), () => send(res, { status: 500, body: { error: 'internal error' } }));
  });
}
