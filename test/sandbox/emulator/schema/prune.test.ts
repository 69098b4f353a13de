import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneResource } from '../../../../src/sandbox/emulator/schema/prune.ts';
import type { KubeObject } from '../../../../src/sandbox/emulator/types.ts';

const object = (fields: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, ...fields });

void test('the root keeps apiVersion, kind and metadata even when the schema does not describe them', () => {
  const pruned = pruneResource(object({ spec: { a: 1 } }), { type: 'object' });
  assert.deepEqual(pruned, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } });
});

void test('an embedded resource keeps apiVersion, kind and metadata (cut to ObjectMeta) and prunes the rest', () => {
  const schema = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } } } } },
  };
  const template = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', colour: 'red' }, spec: {}, other: 1 };
  const pruned = pruneResource(object({ spec: { template } }), schema);
  assert.deepEqual(pruned['spec'], { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } });
});

void test('additionalProperties schemas prune map values; under preserve-unknown-fields, described fields are still pruned', () => {
  const schema = {
    type: 'object',
    properties: {
      labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'object', properties: { k: { type: 'string' } } } } },
    },
  };
  const pruned = pruneResource(object({ labels: { a: { v: 'x', w: 'y' } }, free: { anything: [1], typed: { k: 'v', drop: 1 } } }), schema);
  assert.deepEqual(pruned['labels'], { a: { v: 'x' } });
  assert.deepEqual(pruned['free'], { anything: [1], typed: { k: 'v' } });
});

void test('items of a list are pruned by the items schema; nulls go unless nullable', () => {
  const schema = {
    type: 'object',
    properties: { list: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' }, m: { type: 'string', nullable: true } } } } },
  };
  const pruned = pruneResource(object({ list: [{ n: 1, x: 2 }, { n: null, m: null }] }), schema);
  assert.deepEqual(pruned['list'], [{ n: 1 }, { m: null }]);
});

void test('the argument is not changed', () => {
  const input = object({ spec: { a: 1 } });
  pruneResource(input, { type: 'object' });
  assert.deepEqual(input['spec'], { a: 1 });
});
