// `fledge dashboard`'s web server: the list of releases (live, through server-sent events fed by
// a watch), a page per release with its plots, and the promote/abort/pause/resume/retry buttons,
// which do exactly what the CLI does (requestAction). Loopback by default. Every state-changing
// request must carry the token made when the server starts (403 otherwise); requests naming
// another host are refused (DNS rebinding). No asset comes from the internet.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { requestAction } from '../cli/action-commands.ts';
import type { RequestVerb } from '../core/state.ts';
import { isFledgeError } from '../errors.ts';
import { chartAssets } from './assets.ts';
import type { FeedChange, ReleaseFeed } from './feed.ts';
import { listPage, releasePage, verbs } from './pages.ts';
import { plotsScript } from './plots-script.ts';
import { readRelease, type ReleaseReader } from './release-reader.ts';
import { renderReport } from './report.ts';

export interface DashboardOptions {
  readonly feed: ReleaseFeed;
  readonly reader: ReleaseReader;
  /** Shown on the list page: a namespace, or "all namespaces". */
  readonly scope: string;
  readonly address: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The token state-changing requests must carry; a fresh random one when absent. */
  readonly token?: string;
  readonly now?: () => number;
}

export interface Dashboard {
  /** `http://ADDRESS:PORT/` */
  readonly url: string;
  readonly token: string;
  readonly close: () => Promise<void>;
}

type Reply = { code: number; type: string; body: string };

const json = (code: number, value: unknown): Reply => ({ code, type: 'application/json', body: JSON.stringify(value) });
const html = (body: string): Reply => ({ code: 200, type: 'text/html; charset=utf-8', body });
const notFound: Reply = json(404, { message: 'not found' });
const namePart = '([a-z0-9]([-a-z0-9.]*[a-z0-9])?)';
const releasePath = new RegExp(`^/(releases|api/releases|report)/${namePart}/${namePart}(/([a-z]+))?$`);

function sameToken(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const loopbackNames = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** On loopback, only requests addressed to a loopback name (a rebound DNS name is refused). */
function hostAllowed(req: IncomingMessage, address: string): boolean {
  if (!loopbackNames.has(address)) return true;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return loopbackNames.has(host);
}

/** `/api/releases/NS/NAME/VERB` → what to request; null for any other path. */
function actionTarget(path: string): { namespace: string; name: string; verb: RequestVerb } | null {
  const match = releasePath.exec(path);
  const verb = match?.[7];
  if (match?.[1] !== 'api/releases' || verb === undefined || !(verbs as readonly string[]).includes(verb)) return null;
  return { namespace: match[2] ?? '', name: match[4] ?? '', verb: verb as RequestVerb };
}

class DashboardServer {
  readonly #options: DashboardOptions;
  readonly #token: string;

  constructor(options: DashboardOptions, token: string) {
    this.#options = options;
    this.#token = token;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (!hostAllowed(req, this.#options.address)) return send(res, json(403, { message: 'refused: the dashboard answers only to its loopback address' }));
    if (req.method === 'POST') return send(res, await this.#post(req, url.pathname));
    if (req.method !== 'GET') return send(res, json(405, { message: 'only GET and POST' }));
    if (url.pathname === '/events') return this.#events(res, url.searchParams.get('release'));
    return send(res, await this.#get(url.pathname));
  }

  async #get(path: string): Promise<Reply> {
    const fixed = this.#fixed(path);
    if (fixed !== null) return fixed;
    const match = releasePath.exec(path);
    if (match === null || match[7] !== undefined) return notFound;
    const [, kind, namespace = '', , name = ''] = match;
    if (kind === 'releases') return html(releasePage({ namespace, name, token: this.#token }));
    const view = await readRelease(this.#options.reader, namespace, name);
    if (view === null) return notFound;
    if (kind === 'api/releases') return json(200, view);
    return { code: 200, type: 'text/html; charset=utf-8', body: renderReport(view, (this.#options.now ?? Date.now)()) };
  }

  #fixed(path: string): Reply | null {
    switch (path) {
      case '/':
        return html(listPage(this.#options.scope));
      case '/api/releases':
        return json(200, this.#options.feed.rows());
      case '/assets/uplot.js':
        return { code: 200, type: 'text/javascript', body: chartAssets().script };
      case '/assets/uplot.css':
        return { code: 200, type: 'text/css', body: chartAssets().style };
      case '/assets/plots.js':
        return { code: 200, type: 'text/javascript', body: plotsScript };
      default:
        return null;
    }
  }

  async #post(req: IncomingMessage, path: string): Promise<Reply> {
    if (!sameToken(req.headers['x-fledge-token'] as string | undefined, this.#token)) {
      return json(403, { message: 'refused: state-changing requests need the token the dashboard printed at start (X-Fledge-Token)' });
    }
    const target = actionTarget(path);
    if (target === null) return notFound;
    const { namespace, name, verb } = target;
    const outcome = await requestAction(this.#options.reader.canaries, target);
    if (outcome.kind === 'missing') return json(404, { message: `no Canary ${namespace}/${name}` });
    if (outcome.kind === 'refused') return json(409, { message: `cannot ${verb} ${namespace}/${name}: ${outcome.why}` });
    return json(202, { message: `${namespace}/${name}: will ${outcome.will}. The controller acts on its next reconcile.` });
  }

  #events(res: ServerResponse, release: string | null): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const write = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    write('snapshot', this.#options.feed.rows());
    const stop = this.#options.feed.subscribe((change: FeedChange) => {
      const key = change.kind === 'release' ? `${change.row.namespace}/${change.row.name}` : `${change.namespace}/${change.name}`;
      if (release !== null && release !== key) return;
      write(change.kind, change.kind === 'release' ? change.row : { namespace: change.namespace, name: change.name });
    });
    res.on('close', stop);
  }
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.code, { 'Content-Type': reply.type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(reply.body);
}

function failed(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = isFledgeError(error) && error.code === 'FLEDGE_API_REJECTED' ? 403 : 502;
  send(res, json(code, { message }));
}

/** Starts listening; the feed must be started by the caller. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const app = new DashboardServer(options, token);
  const server: Server = createServer((req, res) => {
    app.handle(req, res).catch((error: unknown) => failed(res, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.address.includes(':') ? `[${options.address}]` : options.address;
  return {
    url: `http://${host}:${port}/`,
    token,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
