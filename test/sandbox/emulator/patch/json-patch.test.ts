import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from '../../../../src/sandbox/emulator/patch/json-patch.ts';
import { applyMergePatch } from '../../../../src/sandbox/emulator/patch/merge-patch.ts';

void test('add, remove, replace, move, copy and test follow RFC 6902', () => {
  const doc = { a: { b: [1, 2] }, 'x/y': 1, t: '~' };
  const result = applyJsonPatch(doc, [
    { op: 'add', path: '/a/b/-', value: 3 },
    { op: 'add', path: '/a/b/0', value: 0 },
    { op: 'remove', path: '/x~1y' },
    { op: 'replace', path: '/t', value: 'tilde' },
    { op: 'copy', from: '/a/b', path: '/c' },
    { op: 'move', from: '/a', path: '/d' },
    { op: 'test', path: '/d/b/3', value: 3 },
  ]);
  assert.deepEqual(result, { ok: true, value: { d: { b: [0, 1, 2, 3] }, t: 'tilde', c: [0, 1, 2, 3] } });
  assert.deepEqual(doc, { a: { b: [1, 2] }, 'x/y': 1, t: '~' }, 'the input is untouched');
});

void test('operations on missing paths and failed tests are errors', () => {
  assert.equal(applyJsonPatch({}, [{ op: 'replace', path: '/nope', value: 1 }]).ok, false);
  assert.equal(applyJsonPatch({}, [{ op: 'remove', path: '/nope' }]).ok, false);
  assert.equal(applyJsonPatch({ a: [1] }, [{ op: 'add', path: '/a/5', value: 1 }]).ok, false);
  assert.equal(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]).ok, false);
  assert.equal(applyJsonPatch({}, { op: 'add' }).ok, false);
  assert.equal(applyJsonPatch({}, [{ op: 'frobnicate', path: '/a' }]).ok, false);
});

void test('a merge patch merges objects, deletes nulls and replaces everything else', () => {
  assert.deepEqual(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] }), { a: { c: 2, d: 3 }, l: [3] });
  assert.deepEqual(applyMergePatch({ a: 1 }, ['x']), ['x']);
});
