import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNumber, formatPercent } from '../../../src/core/judge/format.ts';

void describe('numbers in reasons', () => {
  const cases: Array<[number, string]> = [
    [41.372, '41.37'], [1.3, '1.3'], [0.8, '0.8'], [0, '0'], [0.0021, '0.0021'], [0.000123456, '0.00012'],
    [7179.98, '7180'], [1.7e8, '1.7e+8'], [Infinity, '∞'], [-Infinity, '-∞'], [Number.NaN, 'NaN'], [-2.345, '-2.35'],
  ];
  for (const [input, expected] of cases) {
    void it(`prints ${input} as ${expected}`, () => assert.equal(formatNumber(input), expected));
  }

  void it('prints shares as percentages with at most two decimals', () => {
    assert.equal(formatPercent(0.021), '2.1%');
    assert.equal(formatPercent(0.1), '10%');
    assert.equal(formatPercent(0.98954), '98.95%');
  });
});
