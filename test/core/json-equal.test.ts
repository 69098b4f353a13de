import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { jsonEqual } from '../../src/core/json-equal.ts';
import { sameStatus } from '../../src/controller/status.ts';

const asStored = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

/** Plain data with the values JSON treats specially: undefined, -0, NaN, ±Infinity. */
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(undefined, null, 0, -0, Number.NaN, Infinity, -Infinity, 1, 'a', '', true, false),
    fc.double(),
    fc.string({ maxLength: 3 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('comparing values as JSON stores them', () => {
  it('agrees with a JSON round trip on any plain data', () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => jsonEqual({ v: a }, { v: b }) === isDeepStrictEqual(asStored({ v: a }), asStored({ v: b }))),
      { numRuns: 2000 },
    );
  });

  it('finds any value equal to its own JSON round trip', () => {
    fc.assert(fc.property(plain, (a) => jsonEqual({ v: a }, asStored({ v: a }))));
  });

  it('ignores key order and undefined properties, and equates -0 with 0 and NaN with null', () => {
    assert.equal(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 }), true);
    assert.equal(jsonEqual({ a: 1, gone: undefined }, { a: 1 }), true);
    assert.equal(jsonEqual([undefined], [null]), true);
    assert.equal(jsonEqual({ n: -0 }, { n: 0 }), true);
    assert.equal(jsonEqual({ n: Number.NaN }, { n: null }), true);
  });

  it('tells apart what JSON stores differently', () => {
    assert.equal(jsonEqual({ a: 1 }, { a: 1, b: null }), false);
    assert.equal(jsonEqual({ a: [1, 2] }, { a: [2, 1] }), false);
    assert.equal(jsonEqual({ a: {} }, { a: [] }), false);
    assert.equal(jsonEqual({ a: '1' }, { a: 1 }), false);
  });

  it('is what sameStatus compares with', () => {
    const status = { phase: 'Ready', canaryWeight: 0, message: undefined } as unknown as Parameters<typeof sameStatus>[0];
    assert.equal(sameStatus(status, { ...status, message: undefined } as unknown as typeof status), true);
    assert.equal(sameStatus(status, { ...status, canaryWeight: 10 }), false);
  });
});
