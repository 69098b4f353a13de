import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatQuantity, parseQuantity } from '../../../src/adapters/kube/quantity.ts';

void describe('Kubernetes quantities', () => {
  void it('reads milli, plain, decimal-suffix, binary-suffix and exponent forms', () => {
    const cases: [string | number, number][] = [
      ['500m', 0.5], ['900m', 0.9], ['1', 1], ['90', 90], ['1.5', 1.5], ['1k', 1000], ['2Ki', 2048], ['1e2', 100], ['+3', 3], [75, 75],
    ];
    for (const [input, expected] of cases) assert.equal(parseQuantity(input), expected, String(input));
  });

  void it('returns null for anything that is not a quantity', () => {
    for (const input of ['', 'abc', '10%', '1.2.3', 'm', Infinity, Number.NaN]) assert.equal(parseQuantity(input), null, String(input));
  });

  void it('writes integer weights as plain integers and fractions in milli-units', () => {
    assert.equal(formatQuantity(90), '90');
    assert.equal(formatQuantity(0), '0');
    assert.equal(formatQuantity(0.5), '500m');
    assert.equal(parseQuantity(formatQuantity(12.5)), 12.5);
  });
});
