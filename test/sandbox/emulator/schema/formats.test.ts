import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCheck } from '../../../../src/sandbox/emulator/schema/formats.ts';
import { goNumber, goValue } from '../../../../src/sandbox/emulator/schema/go-format.ts';

const cases: readonly [format: string, valid: readonly string[], invalid: readonly string[]][] = [
  ['date-time', ['2026-11-23T10:00:00Z', '2026-11-23t10:00:00.123+02:00'], ['2026-11-23', '2026-11-23T10:00:00', '2026-13-01T10:00:00Z', 'yesterday']],
  ['date', ['2026-02-28'], ['2026-2-28', '2026-00-10']],
  ['duration', ['1m30s', '250ms', '0', '3 days'], ['soon', '1x']],
  ['uuid', ['6ba7b810-9dad-11d1-80b4-00c04fd430c8'], ['6ba7b810']],
  ['ipv4', ['10.0.0.1'], ['10.0.0.256', '::1']],
  ['ipv6', ['::1'], ['10.0.0.1']],
  ['cidr', ['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0/33', '10.0.0.0']],
  ['byte', ['aGVsbG8='], ['not base64!']],
  ['hostname', ['web.shop.svc'], ['-web']],
];

void test('the formats the real server knows are checked', () => {
  for (const [format, valid, invalid] of cases) {
    const check = formatCheck(format);
    assert.ok(check !== undefined, format);
    for (const value of valid) assert.equal(check(value), true, `${format} ${value}`);
    for (const value of invalid) assert.equal(check(value), false, `${format} ${value}`);
  }
});

void test('formats the real server does not check, numeric ones included, are not checked', () => {
  for (const format of ['int32', 'int64', 'float', 'double', 'quantity', 'k8s-anything']) assert.equal(formatCheck(format), undefined, format);
});

void test('bad values print as Go prints them in field errors', () => {
  assert.equal(goValue('x'), '"x"');
  assert.equal(goValue(null), '"null"');
  assert.equal(goValue(1.5), '1.5');
  assert.equal(goValue([1, 'a']), '[]interface {}{1, "a"}');
  assert.equal(goValue({ b: true, a: null }), 'map[string]interface {}{"a":interface {}(nil), "b":true}');
  assert.equal(goNumber(0.00001), '1e-05');
  assert.equal(goNumber(1e21), '1e+21');
});
