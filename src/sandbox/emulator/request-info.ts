// What authorization sees of a request, parsed from the method and URL alone as the real
// server's RequestInfoFactory does: `/api/V/...` and `/apis/G/V/...` with at least a resource are
// resource requests; everything else (`/api`, `/apis/G/V`, `/version`, `/openapi/...`) is a path.

/** Absent parts are '' (as in Kubernetes' authorizer.Attributes), never undefined. */
export interface ResourceAttributes {
  readonly kind: 'resource';
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verb: string;
  readonly group: string;
  readonly version: string;
  /** The plural, without the subresource. */
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

export interface NonResourceAttributes {
  readonly kind: 'non-resource';
  /** The lower-case HTTP method: get, post, put, … */
  readonly verb: string;
  readonly path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

const methodVerbs: Readonly<Record<string, string>> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
/** `namespaces/NAME/status` and `/finalize` are subresources of the Namespace, not resources in it. */
const namespaceSubresources = new Set(['status', 'finalize']);

function groupVersion(segments: readonly string[]): { group: string; version: string; rest: string[] } | undefined {
  if (segments[0] === 'api' && segments.length >= 3) return { group: '', version: segments[1] ?? '', rest: segments.slice(2) };
  if (segments[0] === 'apis' && segments.length >= 4) return { group: segments[1] ?? '', version: segments[2] ?? '', rest: segments.slice(3) };
  return undefined;
}

function scoped(rest: readonly string[]): { namespace: string; parts: readonly string[] } {
  if (rest[0] !== 'namespaces' || rest.length < 2) return { namespace: '', parts: rest };
  const namespace = rest[1] ?? '';
  const inside = rest.length > 2 && !namespaceSubresources.has(rest[2] ?? '');
  return { namespace, parts: inside ? rest.slice(2) : rest };
}

/** `metadata.name=X` in a field selector narrows a list or watch to one name, as in Kubernetes. */
function selectedName(query: URLSearchParams): string {
  for (const term of (query.get('fieldSelector') ?? '').split(',')) {
    const match = /^\s*metadata\.name\s*==?\s*([^\s/%]+)\s*$/.exec(term);
    if (match !== null && match[1] !== '.' && match[1] !== '..') return match[1] ?? '';
  }
  return '';
}

function collectionVerb(verb: string, query: URLSearchParams): string {
  if (verb === 'get') return ['1', 'true'].includes(query.get('watch') ?? '') ? 'watch' : 'list';
  return verb === 'delete' ? 'deletecollection' : verb;
}

function resourceAttributes(method: string, gv: { group: string; version: string; rest: string[] }, query: URLSearchParams): ResourceAttributes {
  const watchPrefix = gv.rest[0] === 'watch';
  const { namespace, parts } = scoped(watchPrefix ? gv.rest.slice(1) : gv.rest);
  const [resource = '', name = '', subresource = ''] = parts;
  const verb = watchPrefix ? 'watch' : (methodVerbs[method] ?? method.toLowerCase());
  const base = { kind: 'resource', group: gv.group, version: gv.version, resource, subresource, namespace } as const;
  if (name !== '') return { ...base, verb, name };
  const listing = verb === 'get' || verb === 'watch';
  return { ...base, verb: collectionVerb(verb, query), name: listing ? selectedName(query) : '' };
}

/** The attributes RBAC decides on for `method` and `url` (path and query). */
export function requestAttributes(method: string, url: URL): RequestAttributes {
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const gv = groupVersion(segments);
  if (gv === undefined) return { kind: 'non-resource', verb: method.toLowerCase(), path: url.pathname };
  return resourceAttributes(method, gv, url.searchParams);
}

/** `deployments/scale`: the resource as RBAC rules and messages name it. */
export function combinedResource(attributes: ResourceAttributes): string {
  return attributes.subresource === '' ? attributes.resource : `${attributes.resource}/${attributes.subresource}`;
}
