// Just enough OpenAPI v3 for kubectl: every group version lists its PATCH operations with the
// `fieldValidation` parameter, so kubectl relies on server-side field validation (which this
// emulator accepts and does not enforce) instead of downloading schemas. No component schemas:
// kubectl then computes apply patches from its compiled-in types (built-ins) or as merge patches.
import type { ResourceRegistry } from './registry.ts';
import type { ResourceType } from './types.ts';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** `/openapi/v3`: the index of group-version documents. */
export function openApiIndex(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const hash = `emulator${registry.generation}`;
  for (const type of registry.all()) {
    for (const version of type.versions) {
      const path = gvPath(type.group, version);
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
    }
  }
  return { paths };
}

function operations(type: ResourceType, version: string): Record<string, unknown> {
  const gvk = { group: type.group, version, kind: type.kind };
  const base = `/${gvPath(type.group, version)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`;
  const parameters = [
    { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
    { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
    { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
  ];
  const op = (action: string): Record<string, unknown> => ({
    operationId: `${action}${type.kind}`,
    parameters,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  return {
    [base]: { post: op('post'), get: op('list') },
    [`${base}/{name}`]: { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') },
  };
}

/** `/openapi/v3/apis/GROUP/VERSION`, or undefined when the group version is not served. */
export function openApiDocument(registry: ResourceRegistry, path: string): Record<string, unknown> | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  const [group, version] = segments[0] === 'api' ? ['', segments[1] ?? ''] : [segments[1] ?? '', segments[2] ?? ''];
  const types = registry.resourcesIn(group, version);
  if (types.length === 0) return undefined;
  const paths = Object.assign({}, ...types.map((t) => operations(t, version))) as Record<string, unknown>;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}
