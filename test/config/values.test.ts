import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatDuration, parseDecimal, parseDuration, parsePercent, parseWeights, weightsProblem,
} from '../../src/config/values.ts';

test('durations read as milliseconds, in the units operators write', () => {
  const cases: Array<[string, number]> = [
    ['500ms', 500], ['30s', 30_000], ['2m', 120_000], ['1h', 3_600_000], ['1h30m', 5_400_000],
    ['1m30s', 90_000], ['1.5s', 1500], ['1h30m15s500ms', 5_415_500], ['0s', 0],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('text that is not a duration reads as null, never as zero', () => {
  for (const text of ['', '30', 'ms', 's30', '1m5', '30s1m', '1m1m', '1ms1s', ' 30s', '30 s', '-5s', '1d', 'soon', '99999999999999999h']) {
    assert.equal(parseDuration(text), null, JSON.stringify(text));
  }
});

test('a formatted duration reads back to the same milliseconds', () => {
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(0), '0s');
  fc.assert(fc.property(fc.integer({ min: 0, max: 30 * 86_400_000 }), (ms) => parseDuration(formatDuration(ms)) === ms));
});

test('decimals and percentages refuse what Number() would quietly accept', () => {
  assert.equal(parseDecimal('0.05'), 0.05);
  assert.equal(parseDecimal('-3'), -3);
  for (const text of ['', ' ', '1e3', '0x10', 'Infinity', 'NaN', '.5', '5.', '1,5']) assert.equal(parseDecimal(text), null, JSON.stringify(text));
  assert.equal(parsePercent('99.5%'), 99.5);
  assert.equal(parsePercent('99'), 99);
  assert.equal(parsePercent('%'), null);
  assert.equal(parsePercent('99%%'), null);
});

test('weight lists are whole percentages, strictly increasing', () => {
  assert.deepEqual(parseWeights('5,10,25,50'), [5, 10, 25, 50]);
  assert.deepEqual(parseWeights(' 5 , 10 '), [5, 10]);
  assert.equal(parseWeights('5,,10'), null);
  assert.equal(parseWeights('5.5,10'), null);
  assert.equal(parseWeights('-5,10'), null);
  assert.equal(weightsProblem([5, 10, 25, 50]), null);
  assert.equal(weightsProblem([0]), null);
  assert.equal(weightsProblem([10, 100]), null);
  assert.match(weightsProblem([10, 5]) ?? '', /strictly increasing/);
  assert.match(weightsProblem([5, 5]) ?? '', /strictly increasing/);
  assert.match(weightsProblem([5, 101]) ?? '', /out of range/);
  assert.match(weightsProblem([2.5]) ?? '', /whole numbers/);
  assert.match(weightsProblem([]) ?? '', /empty/);
});
