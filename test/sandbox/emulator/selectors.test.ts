import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldSelector, parseLabelSelector, selectorText } from '../../../src/sandbox/emulator/selectors.ts';
import type { KubeObject } from '../../../src/sandbox/emulator/types.ts';

const object = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'n', namespace: 'ns', labels }, ...extra });

const cases: [string, Record<string, string>, boolean][] = [
  ['app=web', { app: 'web' }, true],
  ['app==web', { app: 'db' }, false],
  ['app!=web', {}, true],
  ['app in (web,db)', { app: 'db' }, true],
  ['app notin (web, db)', { app: 'db' }, false],
  ['app notin (web)', {}, true],
  ['tier', { tier: '' }, true],
  ['!tier', { tier: 'x' }, false],
  ['example.com/role=canary,app', { 'example.com/role': 'canary', app: 'x' }, true],
  ['', {}, true],
];

for (const [text, labels, expected] of cases) {
  void test(`label selector "${text}" ${expected ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
    const parsed = parseLabelSelector(text);
    assert.ok(parsed.ok);
    assert.equal(parsed.selector(object(labels)), expected);
  });
}

void test('malformed label selectors are refused with a reason', () => {
  for (const text of ['app in web', 'a b', 'app=we b']) {
    const parsed = parseLabelSelector(text);
    assert.equal(parsed.ok, false, text);
  }
});

void test('a Deployment selector becomes selector text', () => {
  assert.equal(selectorText({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'DoesNotExist' }] }), 'app=web,tier in (a,b),!x');
});

void test('field selectors read the allowed dotted fields', () => {
  const phase = parseFieldSelector('status.phase=Running,metadata.namespace=ns', ['status.phase']);
  assert.ok(phase.ok);
  assert.equal(phase.selector(object({}, { status: { phase: 'Running' } })), true);
  assert.equal(phase.selector(object({}, { status: { phase: 'Pending' } })), false);
  assert.deepEqual(parseFieldSelector('status.phase=Running', []), { ok: false, error: 'field label not supported: status.phase' });
});
