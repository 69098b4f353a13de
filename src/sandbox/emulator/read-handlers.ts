// GET, LIST and WATCH.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { apiVersionOf, asVersion, type Cluster } from './cluster.ts';
import { notFound, badRequest } from './status.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { typeKey } from './store.ts';
import { toScale } from './scale.ts';
import { toTable, wantsTable } from './table.ts';
import type { ResourceRoute } from './router.ts';
import type { WatchHub } from './watch.ts';
import { fail, ok, type KubeObject, type Reply, type Result } from './types.ts';

export interface ReadRequest {
  readonly route: ResourceRoute;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

function statusReply(status: { code: number }): Reply {
  return { code: status.code, body: status };
}

function tableOptions(cluster: Cluster, request: ReadRequest, continueToken?: string): Parameters<typeof toTable>[1] {
  const base = {
    type: request.route.type, version: request.route.version, now: cluster.now(),
    includeObject: request.query.get('includeObject'), resourceVersion: String(cluster.store.resourceVersion),
  };
  return continueToken === undefined ? base : { ...base, continueToken };
}

export function handleGet(cluster: Cluster, request: ReadRequest): Reply {
  const { route } = request;
  const stored = cluster.store.get(typeKey(route.type), route.namespace, route.name ?? '');
  if (stored === undefined) return statusReply(notFound(route.type, route.name ?? ''));
  const object = asVersion(route.type, route.version, stored);
  if (route.subresource === 'scale') return { code: 200, body: toScale(object) };
  if (wantsTable(request.headers.accept)) return { code: 200, body: toTable([object], tableOptions(cluster, request)) };
  return { code: 200, body: object };
}

/** Namespace, label selector and field selector of a list or watch, as one predicate. */
export function selection(request: ReadRequest): Result<(object: KubeObject) => boolean> {
  const labels = parseLabelSelector(request.query.get('labelSelector'));
  if (!labels.ok) return fail(badRequest(labels.error));
  const fields = parseFieldSelector(request.query.get('fieldSelector'), request.route.type.fieldSelectors);
  if (!fields.ok) return fail(badRequest(fields.error));
  const { namespace, name } = request.route;
  return ok((o) => (namespace === undefined || o.metadata.namespace === namespace)
    && (name === undefined || o.metadata.name === name) && labels.selector(o) && fields.selector(o));
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}

/** Items after the continue token's key; the token is opaque to clients. */
function page(items: KubeObject[], query: URLSearchParams): Result<{ items: KubeObject[]; next?: string; remaining: number }> {
  const token = query.get('continue');
  let start = 0;
  if (token !== null && token !== '') {
    const decoded = decodeContinue(token);
    if (decoded === undefined) return fail(badRequest('continue key is not valid: invalid continue token'));
    start = items.findIndex((o) => keyOf(o) > decoded);
    if (start === -1) start = items.length;
  }
  const limit = Number(query.get('limit') ?? '0');
  const rest = items.slice(start);
  if (!(limit > 0) || rest.length <= limit) return ok({ items: rest, remaining: 0 });
  const shown = rest.slice(0, limit);
  const last = shown[shown.length - 1];
  const next = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', start: last === undefined ? '' : keyOf(last) })).toString('base64url');
  return ok({ items: shown, next, remaining: rest.length - limit });
}

function decodeContinue(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    return typeof parsed.start === 'string' ? parsed.start : undefined;
  } catch {
    return undefined;
  }
}

export function handleList(cluster: Cluster, request: ReadRequest): Reply {
  const { route } = request;
  const selected = selection(request);
  if (!selected.ok) return statusReply(selected.status);
  const all = cluster.store.list(typeKey(route.type), route.namespace).filter(selected.value);
  const paged = page(all, request.query);
  if (!paged.ok) return statusReply(paged.status);
  const items = paged.value.items.map((o) => asVersion(route.type, route.version, o));
  if (wantsTable(request.headers.accept)) return { code: 200, body: toTable(items, tableOptions(cluster, request, paged.value.next)) };
  const metadata: Record<string, unknown> = { resourceVersion: String(cluster.store.resourceVersion) };
  if (paged.value.next !== undefined) {
    metadata['continue'] = paged.value.next;
    metadata['remainingItemCount'] = paged.value.remaining;
  }
  return { code: 200, body: { apiVersion: apiVersionOf(route.type, route.version), kind: route.type.listKind, metadata, items } };
}

function sinceOf(request: ReadRequest): Result<number | undefined> {
  const rv = request.query.get('resourceVersion');
  if (request.query.get('sendInitialEvents') === 'true' || rv === null || rv === '' || rv === '0') return ok(undefined);
  if (!/^\d+$/.test(rv)) return fail(badRequest(`invalid resource version: ${rv}`));
  return ok(Number(rv));
}

/** Starts a watch stream on `res`, or answers an error reply before streaming. */
export function handleWatch(cluster: Cluster, watches: WatchHub, request: ReadRequest, res: ServerResponse): Reply | undefined {
  const { route } = request;
  const selected = selection(request);
  if (!selected.ok) return statusReply(selected.status);
  const since = sinceOf(request);
  if (!since.ok) return statusReply(since.status);
  const table = wantsTable(request.headers.accept);
  const render = (o: KubeObject): unknown => {
    const object = asVersion(route.type, route.version, o);
    return table ? toTable([object], tableOptions(cluster, request)) : object;
  };
  const timeout = Number(request.query.get('timeoutSeconds') ?? '1800');
  watches.serve({
    type: route.type, resource: typeKey(route.type), version: route.version, matches: selected.value, render,
    since: since.value, sendInitialEvents: request.query.get('sendInitialEvents') === 'true',
    bookmarks: request.query.get('allowWatchBookmarks') === 'true', timeoutMs: (Number.isFinite(timeout) && timeout > 0 ? timeout : 1800) * 1000,
  }, res);
  return undefined;
}
