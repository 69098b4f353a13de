import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore, type StoreEvent } from '../../../src/sandbox/emulator/store.ts';

const cm = (name: string) => ({ metadata: { name, namespace: 'ns', uid: name } });

void test('every write gets the next resourceVersion, deletions too', () => {
  const store = new ObjectStore(10);
  const a = store.put('/configmaps', cm('a'));
  const b = store.put('/configmaps', cm('b'));
  const gone = store.remove('/configmaps', 'ns', 'a');
  assert.deepEqual([a, b, gone].map((o) => Number(o?.metadata.resourceVersion)), [2, 3, 4]);
  assert.equal(store.resourceVersion, 4);
});

void test('events older than the window are expired; the rest replay in order', () => {
  const store = new ObjectStore(2);
  for (const name of ['a', 'b', 'c']) store.put('/configmaps', cm(name));
  assert.equal(store.eventsSince(1), 'expired');
  const replay = store.eventsSince(2);
  assert.notEqual(replay, 'expired');
  assert.deepEqual((replay as StoreEvent[]).map((e) => e.object.metadata.name), ['b', 'c']);
  assert.deepEqual(store.eventsSince(4), []);
});

void test('listeners see events in resourceVersion order even when a listener writes', () => {
  const store = new ObjectStore(10);
  const seen: string[] = [];
  store.subscribe((e) => {
    if (e.object.metadata.name === 'a') store.put('/configmaps', cm('reaction'));
  });
  store.subscribe((e) => seen.push(`${e.type} ${e.object.metadata.name} ${e.rv}`));
  store.put('/configmaps', cm('a'));
  assert.deepEqual(seen, ['ADDED a 2', 'ADDED reaction 3']);
});
