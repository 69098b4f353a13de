import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath, parseJsonPath } from '../../../src/sandbox/emulator/jsonpath.ts';

const doc = {
  metadata: { name: 'web', annotations: { 'fledge.dev/canary': 'true' } },
  spec: { backends: [{ service: 'p', weight: 90 }, { service: 'c', weight: 10 }] },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Promoted', status: 'False' }] },
};

void test('printer-column paths select what kubectl would print', () => {
  assert.deepEqual(evaluateJsonPath(doc, '.metadata.name'), ['web']);
  assert.deepEqual(evaluateJsonPath(doc, '{.spec.backends[1].weight}'), [10]);
  assert.deepEqual(evaluateJsonPath(doc, '.spec.backends[*].service'), ['p', 'c']);
  assert.deepEqual(evaluateJsonPath(doc, '.spec.backends[-1].service'), ['c']);
  assert.deepEqual(evaluateJsonPath(doc, '.status.conditions[?(@.type=="Promoted")].status'), ['False']);
  assert.deepEqual(evaluateJsonPath(doc, ".status.conditions[?(@.type!='Ready')].type"), ['Promoted']);
  assert.deepEqual(evaluateJsonPath(doc, ".metadata.annotations['fledge.dev/canary']"), ['true']);
  assert.deepEqual(evaluateJsonPath(doc, '.spec.missing'), []);
});

void test('paths outside the supported subset select nothing', () => {
  assert.equal(parseJsonPath('.spec[?(@.a > 1)]'), undefined);
  assert.deepEqual(evaluateJsonPath(doc, '.spec..weight'), []);
});
