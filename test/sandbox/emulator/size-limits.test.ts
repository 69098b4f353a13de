// Size limits as a real API server enforces them: request bodies over 3 MiB are refused with 413,
// objects over etcd's 1.5 MiB with etcd's error (500).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminHeaders, withEmulator } from '../../support/emulator.ts';

function configMap(name: string, bytes: number): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { blob: 'x'.repeat(bytes) } });
}

async function create(url: string, body: string): Promise<{ code: number; reason: string; message: string }> {
  const res = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { ...adminHeaders, 'Content-Type': 'application/json' }, body });
  const status = (await res.json()) as { reason?: string; message?: string };
  return { code: res.status, reason: status.reason ?? '', message: status.message ?? '' };
}

test('a request body over 3 MiB is refused with 413 RequestEntityTooLarge', async (t) => {
  const { emulator } = await withEmulator(t);
  const refused = await create(emulator.url, configMap('huge', 3 * 1024 * 1024 + 10));
  assert.deepEqual(refused, { code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 3145728' });
});

test('an object over 1.5 MiB is refused as etcd refuses it, and one under it is stored', async (t) => {
  const { emulator } = await withEmulator(t);
  const refused = await create(emulator.url, configMap('big', 1.6 * 1024 * 1024));
  assert.equal(refused.code, 500);
  assert.equal(refused.message, 'etcdserver: request is too large');
  assert.equal((await create(emulator.url, configMap('fits', 1024 * 1024))).code, 201);
});
