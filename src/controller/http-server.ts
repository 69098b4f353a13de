// /healthz, /readyz and /metrics over node:http. build() makes the server; listen() binds it,
// so tests and main decide where (the controller's --health-addr and --metrics-addr).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where leader election stands; `disabled` when the controller runs alone. */
export type ElectionState = 'disabled' | 'leading' | 'standby' | 'stopped';

export interface ReadinessInput {
  /** Watch caches have listed at least once. */
  readonly cachesSynced: boolean;
  readonly election: ElectionState;
}

export interface HttpServerOptions {
  readonly readiness: () => ReadinessInput;
  readonly metrics: { render(): Promise<{ contentType: string; body: string }> };
  /** Which endpoints this server answers (default all: health and metrics on one port). */
  readonly serve?: readonly ('health' | 'metrics')[];
}

/**
 * Ready: a standby replica is ready (it is healthy and waiting its turn); a leader, or a
 * controller without leader election, once its caches have synced.
 */
export function isReady(input: ReadinessInput): { ready: boolean; reason: string } {
  if (input.election === 'stopped') return { ready: false, reason: 'leader election stopped' };
  if (input.election === 'standby') return { ready: true, reason: 'standing by for the leader lease' };
  return input.cachesSynced ? { ready: true, reason: 'caches synced' } : { ready: false, reason: 'caches not synced yet' };
}

function send(res: ServerResponse, code: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

type Route = (options: HttpServerOptions, res: ServerResponse) => void | Promise<void>;

const routes: Readonly<Record<string, { group: 'health' | 'metrics'; route: Route }>> = {
  '/healthz': { group: 'health', route: (_options, res) => send(res, 200, 'ok\n') },
  '/readyz': {
    group: 'health',
    route: (options, res) => {
      const { ready, reason } = isReady(options.readiness());
      send(res, ready ? 200 : 503, `${reason}\n`);
    },
  },
  '/metrics': {
    group: 'metrics',
    route: async (options, res) => {
      const { contentType, body } = await options.metrics.render();
      send(res, 200, body, contentType);
    },
  },
};

async function handle(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const serve = options.serve ?? ['health', 'metrics'];
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const found = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (found === undefined || !serve.includes(found.group)) return send(res, 404, 'not found\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  await found.route(options, res);
}

/** The server, not yet listening. */
export function build(options: HttpServerOptions): Server {
  return createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => send(res, 500, `${String(error)}\n`));
  });
}

/** Parses `host:port`, `:port` or `port` (host defaults to 0.0.0.0). */
export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = colon <= 0 ? '0.0.0.0' : address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(colon === -1 ? address : address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`bad listen address "${address}": expected host:port`);
  return { host, port };
}

export interface Listening {
  /** e.g. http://127.0.0.1:8081 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Binds the server; port 0 picks a free one (see `port`). */
export async function listen(server: Server, address: string): Promise<Listening> {
  const { host, port } = parseAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}`,
    port: bound,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
