// One API request: non-resource paths (version, discovery, OpenAPI, health), then resource
// requests through fault injection to the verb handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cluster } from './cluster.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.ts';
import type { FaultInjector, RequestFacts } from './faults.ts';
import { openApiDocument, openApiIndex } from './openapi.ts';
import { handleGet, handleList, handleWatch } from './read-handlers.ts';
import { route, type ResourceRoute } from './router.ts';
import { methodNotAllowed, pathNotFound } from './status.ts';
import type { Reply } from './types.ts';
import type { WatchHub } from './watch.ts';
import { handleCreate, handleDelete, handleDeleteCollection, handlePatch, handleUpdate } from './write-handlers.ts';

export interface ApiContext {
  readonly cluster: Cluster;
  readonly watches: WatchHub;
  readonly faults: FaultInjector;
  readonly serverAddress: () => string;
}

function found(body: unknown): Reply | undefined {
  return body === undefined ? undefined : { code: 200, body };
}

function discovery(ctx: ApiContext, segments: readonly string[]): Reply | undefined {
  const registry = ctx.cluster.registry;
  const [root, a, b] = segments;
  if (root === 'api') {
    if (segments.length === 1) return found(apiVersions(ctx.serverAddress()));
    return segments.length === 2 ? found(apiResourceList(registry, '', a ?? '')) : undefined;
  }
  if (segments.length === 1) return found(apiGroupList(registry));
  if (segments.length === 2) return found(apiGroup(registry, a ?? ''));
  return segments.length === 3 ? found(apiResourceList(registry, a ?? '', b ?? '')) : undefined;
}

/** Answers for paths that are not resources; undefined means "try the resource router". */
function nonResource(ctx: ApiContext, path: string): Reply | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  const [root] = segments;
  if (root === 'version') return { code: 200, body: serverVersion };
  if (root === 'healthz' || root === 'livez' || root === 'readyz') return { code: 200, body: 'ok' };
  if (root === 'openapi' && segments[1] === 'v3') {
    const body = segments.length === 2 ? openApiIndex(ctx.cluster.registry) : openApiDocument(ctx.cluster.registry, segments.slice(2).join('/'));
    return body === undefined ? { code: 404, body: pathNotFound() } : { code: 200, body };
  }
  if (root === 'openapi') return { code: 404, body: pathNotFound() };
  if ((root === 'api' && segments.length <= 2) || (root === 'apis' && segments.length <= 3)) {
    return discovery(ctx, segments) ?? { code: 404, body: pathNotFound() };
  }
  return undefined;
}

function factsOf(route: ResourceRoute): RequestFacts {
  return {
    verb: route.verb, group: route.type.group, plural: route.type.plural,
    subresource: route.subresource, namespace: route.namespace, name: route.name,
  };
}

function dispatch(ctx: ApiContext, routeInfo: ResourceRoute, req: IncomingMessage, body: string, res: ServerResponse): Reply | undefined {
  const query = new URL(req.url ?? '/', 'http://emulator').searchParams;
  const read = { route: routeInfo, query, headers: req.headers };
  const write = { route: routeInfo, query, contentType: req.headers['content-type'], body };
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

/** Serves one request; resolves to the reply to write, or undefined when a watch took over `res`. */
export async function serveApi(ctx: ApiContext, req: IncomingMessage, body: string, res: ServerResponse): Promise<Reply | undefined> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  if (method === 'GET') {
    const answer = nonResource(ctx, url.pathname);
    if (answer !== undefined) return answer;
  }
  const watch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
  const routed = route(ctx.cluster.registry, method, url.pathname, watch);
  if (routed.kind === 'not-found') return { code: 404, body: pathNotFound() };
  if (routed.kind === 'method-not-allowed') return { code: 405, body: methodNotAllowed(`the server does not allow this method on the requested resource`) };
  const facts = factsOf(routed.route);
  const delay = ctx.faults.delayFor(facts);
  if (delay > 0) await sleep(delay);
  const failure = ctx.faults.failureFor(facts);
  if (failure !== undefined) return failure;
  return dispatch(ctx, routed.route, req, body, res);
}
