// What RBAC sees of a request is parsed from the path alone, as the real server's RequestInfoFactory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestAttributes } from '../../../src/sandbox/emulator/request-info.ts';

const at = (method: string, path: string) => requestAttributes(method, new URL(path, 'http://emulator'));
const resource = { kind: 'resource', group: '', version: 'v1', subresource: '', namespace: '', name: '' } as const;

const cases: Array<[string, string, string, Record<string, string>]> = [
  ['a named GET is get', 'GET', '/apis/apps/v1/namespaces/shop/deployments/web', { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web', verb: 'get' }],
  ['a GET without a name is list', 'GET', '/api/v1/namespaces/shop/configmaps', { resource: 'configmaps', namespace: 'shop', verb: 'list' }],
  ['watch=true makes it watch', 'GET', '/api/v1/configmaps?watch=true', { resource: 'configmaps', verb: 'watch' }],
  ['watch=1 too', 'GET', '/api/v1/namespaces/a/pods?watch=1', { resource: 'pods', namespace: 'a', verb: 'watch' }],
  ['a metadata.name field selector names the object of a list', 'GET', '/api/v1/namespaces/a/secrets?fieldSelector=metadata.name%3Dtoken', { resource: 'secrets', namespace: 'a', name: 'token', verb: 'list' }],
  ['a subresource is kept apart from the resource', 'PATCH', '/apis/apps/v1/namespaces/a/deployments/web/scale', { group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'a', name: 'web', verb: 'patch' }],
  ['POST is create', 'POST', '/api/v1/namespaces/a/services', { resource: 'services', namespace: 'a', verb: 'create' }],
  ['PUT is update', 'PUT', '/api/v1/namespaces/a/services/s', { resource: 'services', namespace: 'a', name: 's', verb: 'update' }],
  ['DELETE with a name is delete', 'DELETE', '/api/v1/namespaces/a/services/s', { resource: 'services', namespace: 'a', name: 's', verb: 'delete' }],
  ['DELETE without one is deletecollection', 'DELETE', '/api/v1/namespaces/a/services', { resource: 'services', namespace: 'a', verb: 'deletecollection' }],
  ['a namespace is named by itself and is its own namespace', 'GET', '/api/v1/namespaces/shop', { resource: 'namespaces', namespace: 'shop', name: 'shop', verb: 'get' }],
  ['a namespace status is a subresource of the namespace', 'PUT', '/api/v1/namespaces/shop/status', { resource: 'namespaces', subresource: 'status', namespace: 'shop', name: 'shop', verb: 'update' }],
  ['cluster-scoped resources have no namespace', 'GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/view', { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'view', verb: 'get' }],
  ['the legacy /watch/ prefix watches', 'GET', '/api/v1/watch/namespaces/a/pods', { resource: 'pods', namespace: 'a', verb: 'watch' }],
];

for (const [sentence, method, path, expected] of cases) {
  test(sentence, () => {
    assert.deepEqual(at(method, path), { ...resource, ...expected });
  });
}

test('discovery, version, health and OpenAPI are paths, with the HTTP method as the verb', () => {
  for (const path of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/healthz', '/openapi/v3/apis/apps/v1']) {
    assert.deepEqual(at('GET', path), { kind: 'non-resource', verb: 'get', path });
  }
  assert.deepEqual(at('POST', '/logs'), { kind: 'non-resource', verb: 'post', path: '/logs' });
});
