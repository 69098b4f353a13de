import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubeProtobuf } from '../../../src/sandbox/emulator/protobuf/index.ts';

// A minimal encoder for building test messages.
function varint(n: bigint): number[] {
  let v = BigInt.asUintN(64, n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const field = (n: number, wire: number) => varint(BigInt(n * 8 + wire));
const bytes = (n: number, data: number[]) => [...field(n, 2), ...varint(BigInt(data.length)), ...data];
const str = (n: number, s: string) => bytes(n, [...Buffer.from(s)]);
const int = (n: number, v: number) => [...field(n, 0), ...varint(BigInt(v))];
const entry = (n: number, k: string, v: string) => bytes(n, [...str(1, k), ...str(2, v)]);

function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...bytes(1, [...str(1, apiVersion), ...str(2, kind)]), ...bytes(2, raw)]);
}

void test('a protobuf ConfigMap decodes to the JSON object, keeping empty map values and skipping unknown fields', () => {
  const meta = [...str(1, 'cfg'), ...str(3, ''), ...entry(11, 'app', 'web'), ...bytes(8, []), ...int(99, 7)];
  const raw = [...bytes(1, meta), ...entry(2, 'a', '1'), ...entry(2, 'empty', ''), ...int(4, 0)];
  const decoded = decodeKubeProtobuf(envelope('v1', 'ConfigMap', raw));
  assert.deepEqual(decoded, { ok: true, value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: { app: 'web' } }, data: { a: '1', empty: '' } } });
});

void test('int-or-string, replicas of zero and negative varints decode as the API means them', () => {
  const rolling = bytes(2, [...bytes(1, [...int(1, 1), ...str(3, '30%')]), ...bytes(2, [...int(2, 2)])]);
  const spec = [...int(1, 0), ...bytes(4, [...str(1, 'RollingUpdate'), ...rolling]), ...int(5, -1)];
  const decoded = decodeKubeProtobuf(envelope('apps/v1', 'Deployment', [...bytes(1, str(1, 'web')), ...bytes(2, spec)]));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value['spec'], { replicas: 0, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '30%', maxSurge: 2 } }, minReadySeconds: -1 });
});

void test('bodies without the envelope, of unknown kinds or truncated are refused', () => {
  assert.equal(decodeKubeProtobuf(Uint8Array.from([1, 2, 3])).ok, false);
  const unknown = decodeKubeProtobuf(envelope('v1', 'Pod', []));
  assert.equal(unknown.ok ? 0 : unknown.status.code, 415);
  const truncated = decodeKubeProtobuf(Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x10, 0x01]));
  assert.equal(truncated.ok ? 0 : truncated.status.code, 400);
});
