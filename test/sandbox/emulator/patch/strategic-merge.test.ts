import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from '../../../../src/sandbox/emulator/patch/strategic-merge.ts';

const podSpec = {
  containers: [
    { name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
    { name: 'proxy', image: 'p:1' },
  ],
  volumes: [{ name: 'v1', emptyDir: {} }],
  tolerations: [{ key: 'x' }],
};

void test('containers merge by name and keep containers the patch does not mention', () => {
  const out = applyStrategicMergePatch(podSpec, { containers: [{ name: 'app', image: 'a:2' }] }) as typeof podSpec;
  assert.deepEqual(out.containers.map((c) => `${c.name}=${c.image}`), ['app=a:2', 'proxy=p:1']);
  assert.deepEqual(out.containers[0]!.env, podSpec.containers[0]!.env);
});

void test('lists without a merge key are replaced', () => {
  const out = applyStrategicMergePatch(podSpec, { tolerations: [{ key: 'y' }] }) as typeof podSpec;
  assert.deepEqual(out.tolerations, [{ key: 'y' }]);
});

void test('$patch: delete removes one keyed element and null removes a field', () => {
  const out = applyStrategicMergePatch(podSpec, { containers: [{ name: 'proxy', $patch: 'delete' }], volumes: null }) as Partial<typeof podSpec>;
  assert.deepEqual(out.containers?.map((c) => c.name), ['app']);
  assert.equal(out.volumes, undefined);
});

void test('$patch: replace on a list replaces it wholesale', () => {
  const out = applyStrategicMergePatch(podSpec, { volumes: [{ $patch: 'replace' }, { name: 'v2' }] }) as typeof podSpec;
  assert.deepEqual(out.volumes, [{ name: 'v2' }]);
});

void test('$setElementOrder orders the merged list as kubectl asks', () => {
  const out = applyStrategicMergePatch(podSpec, {
    '$setElementOrder/containers': [{ name: 'proxy' }, { name: 'app' }],
    containers: [{ name: 'app', image: 'a:3' }],
  }) as typeof podSpec;
  assert.deepEqual(out.containers.map((c) => c.name), ['proxy', 'app']);
});

void test('$retainKeys drops keys that are not listed', () => {
  const out = applyStrategicMergePatch({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }, { strategy: { $retainKeys: ['type'], type: 'Recreate' } });
  assert.deepEqual(out, { strategy: { type: 'Recreate' } });
});

void test('finalizers merge as a set and $deleteFromPrimitiveList removes values', () => {
  const meta = { finalizers: ['a', 'b'] };
  assert.deepEqual(applyStrategicMergePatch(meta, { finalizers: ['b', 'c'] }), { finalizers: ['a', 'b', 'c'] });
  assert.deepEqual(applyStrategicMergePatch(meta, { '$deleteFromPrimitiveList/finalizers': ['a'] }), { finalizers: ['b'] });
});

void test('service ports merge by port', () => {
  const out = applyStrategicMergePatch({ ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] }, { ports: [{ port: 443, targetPort: 8443 }] });
  assert.deepEqual(out, { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https', targetPort: 8443 }] });
});

void test('the input document is not changed', () => {
  const before = structuredClone(podSpec);
  applyStrategicMergePatch(podSpec, { containers: [{ name: 'app', image: 'changed' }] });
  assert.deepEqual(podSpec, before);
});
