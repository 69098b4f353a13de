// RBAC's matching rules, table-driven: which subjects a binding names, which requests a rule covers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appliesTo, ruleAllows, rulesOf, serviceAccountOf, type PolicyRule } from '../../../src/sandbox/emulator/rbac-rules.ts';
import type { ResourceAttributes } from '../../../src/sandbox/emulator/request-info.ts';

const sa = { name: 'system:serviceaccount:fledge-system:fledge-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:fledge-system', 'system:authenticated'] };

test('a binding subject names a user by name, a group by membership, a ServiceAccount by namespace and name', () => {
  assert.equal(appliesTo({ kind: 'User', name: sa.name }, sa, ''), true);
  assert.equal(appliesTo({ kind: 'User', name: 'jane' }, sa, ''), false);
  assert.equal(appliesTo({ kind: 'Group', name: 'system:serviceaccounts:fledge-system' }, sa, ''), true);
  assert.equal(appliesTo({ kind: 'Group', name: 'system:masters' }, sa, ''), false);
  assert.equal(appliesTo({ kind: 'ServiceAccount', name: 'fledge-controller', namespace: 'fledge-system' }, sa, ''), true);
  assert.equal(appliesTo({ kind: 'ServiceAccount', name: 'fledge-controller', namespace: 'apps' }, sa, ''), false);
  assert.equal(appliesTo({ kind: 'Robot', name: sa.name }, sa, ''), false);
});

test("a ServiceAccount subject without a namespace means the RoleBinding's own, and nothing in a ClusterRoleBinding", () => {
  assert.equal(appliesTo({ kind: 'ServiceAccount', name: 'fledge-controller' }, sa, 'fledge-system'), true);
  assert.equal(appliesTo({ kind: 'ServiceAccount', name: 'fledge-controller' }, sa, 'apps'), false);
  assert.equal(appliesTo({ kind: 'ServiceAccount', name: 'fledge-controller' }, sa, ''), false);
});

test('service account user names parse back to their namespace and name, and nothing else does', () => {
  assert.deepEqual(serviceAccountOf(sa.name), { namespace: 'fledge-system', name: 'fledge-controller' });
  assert.equal(serviceAccountOf('jane'), undefined);
  assert.equal(serviceAccountOf('system:serviceaccount:only-namespace'), undefined);
});

const rule = (given: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...given });
const request = (given: Partial<ResourceAttributes>): ResourceAttributes =>
  ({ kind: 'resource', verb: 'get', group: 'apps', version: 'v1', resource: 'deployments', subresource: '', namespace: 'default', name: 'web', ...given });
const deployments = rule({ verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'] });

const cases: Array<[string, PolicyRule, ResourceAttributes, boolean]> = [
  ['a rule covers its verbs, groups and resources', deployments, request({}), true],
  ['but no other verb', deployments, request({ verb: 'delete' }), false],
  ['nor another group', deployments, request({ group: 'extensions' }), false],
  ['nor the core group', deployments, request({ group: '' }), false],
  ['nor a subresource of its resources', deployments, request({ verb: 'get', subresource: 'scale' }), false],
  ['a subresource is granted as plural/subresource', rule({ verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments/scale'] }), request({ verb: 'patch', subresource: 'scale' }), true],
  ['or as */subresource', rule({ verbs: ['patch'], apiGroups: ['apps'], resources: ['*/scale'] }), request({ verb: 'patch', subresource: 'scale' }), true],
  ['*/subresource grants no resource itself', rule({ verbs: ['patch'], apiGroups: ['apps'], resources: ['*/scale'] }), request({ verb: 'patch' }), false],
  ['* matches every verb, group and resource', rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), request({ verb: 'deletecollection', group: 'x.io', resource: 'things', name: '' }), true],
  ['resourceNames restrict a rule to those names', rule({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }), request({}), true],
  ['and to nothing else', rule({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }), request({ name: 'api' }), false],
  ['resourceNames never cover a list without a name', rule({ verbs: ['list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }), request({ verb: 'list', name: '' }), false],
  ['nor a create', rule({ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }), request({ verb: 'create', name: '' }), false],
];

for (const [sentence, given, attributes, allowed] of cases) {
  test(sentence, () => assert.equal(ruleAllows(given, attributes), allowed));
}

test('non-resource rules match exact paths, prefixes ending in * and *, and never resources', () => {
  const discovery = rule({ verbs: ['get'], nonResourceURLs: ['/version', '/apis/*'] });
  assert.equal(ruleAllows(discovery, { kind: 'non-resource', verb: 'get', path: '/version' }), true);
  assert.equal(ruleAllows(discovery, { kind: 'non-resource', verb: 'get', path: '/apis/apps/v1' }), true);
  assert.equal(ruleAllows(discovery, { kind: 'non-resource', verb: 'get', path: '/metrics' }), false);
  assert.equal(ruleAllows(discovery, { kind: 'non-resource', verb: 'post', path: '/version' }), false);
  assert.equal(ruleAllows(rule({ verbs: ['*'], nonResourceURLs: ['*'] }), { kind: 'non-resource', verb: 'put', path: '/anything' }), true);
  assert.equal(ruleAllows(discovery, request({ verb: 'get' })), false);
});

test('rules read from a role object keep every list and read malformed ones as empty', () => {
  assert.deepEqual(rulesOf({ rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a', 7] }, 'junk'] }), [
    rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }),
  ]);
  assert.deepEqual(rulesOf({}), []);
});
