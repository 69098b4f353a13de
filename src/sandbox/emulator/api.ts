// One API request: authentication and authorization first, then non-resource paths (version,
// discovery, OpenAPI, health), then resource requests through fault injection to the verb handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admit, type AccessContext } from './access.ts';
import { handleReview, isReview } from './access-review.ts';
import type { Cluster } from './cluster.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.ts';
import type { FaultInjector, RequestFacts } from './faults.ts';
import { openApiDocument, openApiIndex } from './openapi.ts';
import { handleGet, handleList, handleWatch } from './read-handlers.ts';
import { route, type ResourceRoute } from './router.ts';
import { methodNotAllowed, pathNotFound } from './status.ts';
import type { UserInfo } from './rbac-rules.ts';
import type { Reply } from './types.ts';
import type { WatchHub } from './watch.ts';
import { handleCreate, handleDelete, handleDeleteCollection, handlePatch, handleUpdate } from './write-handlers.ts';

export interface ApiContext {
  readonly cluster: Cluster;
  readonly watches: WatchHub;
  readonly faults: FaultInjector;
  readonly access: AccessContext;
  readonly serverAddress: () => string;
}

const notFoundReply: Reply = { code: 404, body: pathNotFound() };

function found(body: unknown): Reply {
  return body === undefined ? notFoundReply : { code: 200, body };
}

/** `/api`, `/api/v1`, `/apis`, `/apis/G`, `/apis/G/V`. */
function discovery(ctx: ApiContext, segments: readonly string[]): Reply {
  const registry = ctx.cluster.registry;
  const [root, a = '', b = ''] = segments;
  if (root === 'api') return segments.length === 1 ? found(apiVersions(ctx.serverAddress())) : found(apiResourceList(registry, '', a));
  if (segments.length === 1) return found(apiGroupList(registry));
  return segments.length === 2 ? found(apiGroup(registry, a)) : found(apiResourceList(registry, a, b));
}

function openApi(ctx: ApiContext, segments: readonly string[]): Reply {
  if (segments[1] !== 'v3') return notFoundReply;
  const registry = ctx.cluster.registry;
  return found(segments.length === 2 ? openApiIndex(registry) : openApiDocument(registry, segments.slice(2).join('/')));
}

const fixed: Readonly<Record<string, Reply>> = {
  version: { code: 200, body: serverVersion },
  healthz: { code: 200, body: 'ok' },
  livez: { code: 200, body: 'ok' },
  readyz: { code: 200, body: 'ok' },
};

/** Answers for paths that are not resources; undefined means "try the resource router". */
function nonResource(ctx: ApiContext, path: string): Reply | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  const root = segments[0] ?? '';
  if (fixed[root] !== undefined) return fixed[root];
  if (root === 'openapi') return openApi(ctx, segments);
  const isDiscovery = (root === 'api' && segments.length <= 2) || (root === 'apis' && segments.length <= 3);
  return isDiscovery ? discovery(ctx, segments) : undefined;
}

function factsOf(route: ResourceRoute): RequestFacts {
  return {
    verb: route.verb, group: route.type.group, plural: route.type.plural,
    subresource: route.subresource, namespace: route.namespace, name: route.name,
  };
}

interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly raw: Buffer;
  readonly query: URLSearchParams;
  readonly user: UserInfo;
}

function dispatch(ctx: ApiContext, routeInfo: ResourceRoute, exchange: Exchange): Reply | undefined {
  const { req, res, raw, query } = exchange;
  const read = { route: routeInfo, query, headers: req.headers };
  const write = { route: routeInfo, query, contentType: req.headers['content-type'], body: raw.toString('utf8'), raw };
  switch (routeInfo.verb) {
    case 'get':
      return handleGet(ctx.cluster, read);
    case 'list':
      return handleList(ctx.cluster, read);
    case 'watch':
      return handleWatch(ctx.cluster, ctx.watches, read, res);
    case 'create':
      return handleCreate(ctx.cluster, write);
    case 'update':
      return handleUpdate(ctx.cluster, write);
    case 'patch':
      return handlePatch(ctx.cluster, write);
    case 'delete':
      return handleDelete(ctx.cluster, write);
    case 'deletecollection':
      return handleDeleteCollection(ctx.cluster, write);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Fault injection (delays, failures), then the verb handler; access reviews are answered, not stored. */
async function serveResource(ctx: ApiContext, routed: ResourceRoute, exchange: Exchange): Promise<Reply | undefined> {
  const facts = factsOf(routed);
  const delay = ctx.faults.delayFor(facts);
  if (delay > 0) await sleep(delay);
  const failure = ctx.faults.failureFor(facts);
  if (failure !== undefined) return failure;
  if (!isReview(routed.type)) return dispatch(ctx, routed, exchange);
  const { req, raw, user } = exchange;
  return handleReview(ctx.cluster.store, { type: routed.type, user, contentType: req.headers['content-type'], raw });
}

/** Serves one request; resolves to the reply to write, or undefined when a watch took over `res`. */
export async function serveApi(ctx: ApiContext, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<Reply | undefined> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  const admission = admit(ctx.access, { method, url, headers: req.headers });
  if (!admission.ok) return admission.reply;
  const answer = method === 'GET' ? nonResource(ctx, url.pathname) : undefined;
  if (answer !== undefined) return answer;
  const watch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
  const routed = route(ctx.cluster.registry, method, url.pathname, watch);
  if (routed.kind === 'not-found') return notFoundReply;
  if (routed.kind === 'method-not-allowed') return { code: 405, body: methodNotAllowed('the server does not allow this method on the requested resource') };
  return serveResource(ctx, routed.route, { req, res, raw, query: url.searchParams, user: admission.user });
}
