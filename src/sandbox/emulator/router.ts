// Maps request paths and methods onto resources and verbs, as the real server's RequestInfo does.
import type { ResourceRegistry } from './registry.ts';
import type { ResourceType, Verb } from './types.ts';

export interface ResourceRoute {
  readonly type: ResourceType;
  readonly version: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  readonly verb: Verb;
}

export type Routed = { kind: 'resource'; route: ResourceRoute } | { kind: 'not-found' } | { kind: 'method-not-allowed' };

function groupVersion(segments: readonly string[]): { group: string; version: string; rest: string[] } | undefined {
  if (segments[0] === 'api' && segments.length >= 3) return { group: '', version: segments[1] ?? '', rest: segments.slice(2) };
  if (segments[0] === 'apis' && segments.length >= 4) return { group: segments[1] ?? '', version: segments[2] ?? '', rest: segments.slice(3) };
  return undefined;
}

/** [verb with a name in the path, verb without]. */
const verbs: Readonly<Record<string, readonly [Verb | undefined, Verb | undefined]>> = {
  GET: ['get', 'list'],
  POST: [undefined, 'create'],
  PUT: ['update', undefined],
  PATCH: ['patch', undefined],
  DELETE: ['delete', 'deletecollection'],
};

function verbFor(method: string, hasName: boolean, watch: boolean): Verb | undefined {
  if (method === 'GET' && watch) return 'watch';
  return verbs[method]?.[hasName ? 0 : 1];
}

interface Parts {
  readonly namespace: string | undefined;
  readonly plural: string;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  readonly extra: number;
}

function parts(registry: ResourceRegistry, group: string, version: string, rest: readonly string[]): Parts {
  const nested = rest[0] === 'namespaces' && rest.length >= 3 ? registry.find(group, version, rest[2] ?? '') : undefined;
  if (nested?.namespaced === true) {
    return { namespace: rest[1], plural: rest[2] ?? '', name: rest[3], subresource: rest[4], extra: rest.length - 5 };
  }
  return { namespace: undefined, plural: rest[0] ?? '', name: rest[1], subresource: rest[2], extra: rest.length - 3 };
}

function subresourceServed(type: ResourceType, subresource: string | undefined): boolean {
  if (subresource === undefined) return true;
  return (subresource === 'status' && type.subresources.status) || (subresource === 'scale' && type.subresources.scale);
}

function served(type: ResourceType | undefined, p: Parts): type is ResourceType {
  if (type === undefined || p.extra > 0 || !subresourceServed(type, p.subresource)) return false;
  if (p.namespace !== undefined && !type.namespaced) return false;
  return !(type.namespaced && p.namespace === undefined && p.name !== undefined);
}

/** Resolves a resource request; discovery paths are handled before this. */
export function route(registry: ResourceRegistry, method: string, path: string, watch: boolean): Routed {
  const gv = groupVersion(path.split('/').filter((s) => s !== ''));
  if (gv === undefined) return { kind: 'not-found' };
  const p = parts(registry, gv.group, gv.version, gv.rest);
  const type = registry.find(gv.group, gv.version, p.plural);
  if (!served(type, p)) return { kind: 'not-found' };
  const verb = verbFor(method, p.name !== undefined, watch);
  if (verb === undefined || type.verbs?.includes(verb) === false) return { kind: 'method-not-allowed' };
  if (p.subresource !== undefined && !['get', 'update', 'patch'].includes(verb)) return { kind: 'method-not-allowed' };
  const route: ResourceRoute = { type, version: gv.version, namespace: p.namespace, name: p.name, subresource: p.subresource, verb };
  return { kind: 'resource', route };
}
