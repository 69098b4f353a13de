import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { updateOutbox, type OutboxInput, type OutboxItem } from '../../src/core/outbox.ts';

const hour = 3_600_000;
const now = Date.UTC(2026, 10, 23, 12);
const limits = { maxEntries: 3, maxAgeMs: 24 * hour };
const keyOf = (seq: number): string => `k${seq}`;

function item(seq: number, ageMs = 0): OutboxItem<string> {
  return { key: keyOf(seq), queuedAt: now - ageMs, payload: `notice ${seq}` };
}

function update(overrides: Partial<OutboxInput<string>>) {
  return updateOutbox<string>({ items: [], seq: 0, added: [], delivered: new Set(), now, keyOf, limits, ...overrides });
}

describe('the outbox', () => {
  it('numbers new notices after the last sequence number and queues them at now, oldest first', () => {
    const next = update({ items: [item(4)], seq: 4, added: ['a', 'b'] });
    assert.deepEqual(next.items.map((i) => [i.key, i.payload, i.queuedAt]), [['k4', 'notice 4', now], ['k5', 'a', now], ['k6', 'b', now]]);
    assert.equal(next.seq, 6);
    assert.deepEqual(next.dropped, []);
  });

  it('removes delivered keys without reporting them as dropped', () => {
    const next = update({ items: [item(1), item(2)], seq: 2, delivered: new Set(['k1']) });
    assert.deepEqual(next.items.map((i) => i.key), ['k2']);
    assert.deepEqual(next.dropped, []);
  });

  it('keeps the sequence number when nothing is added, so keys are never reused', () => {
    const emptied = update({ items: [item(7)], seq: 7, delivered: new Set(['k7']) });
    assert.equal(emptied.seq, 7);
    assert.equal(update({ items: emptied.items, seq: emptied.seq, added: ['x'] }).items[0]?.key, 'k8');
  });

  it('drops the oldest entries beyond the bound, saying they were pushed out', () => {
    const next = update({ items: [item(1), item(2), item(3)], seq: 3, added: ['d', 'e'] });
    assert.deepEqual(next.items.map((i) => i.key), ['k3', 'k4', 'k5']);
    assert.deepEqual(next.dropped.map((d) => [d.item.key, d.why]), [['k1', 'full'], ['k2', 'full']]);
  });

  it('drops entries older than the maximum age, and keeps one exactly at it', () => {
    const next = update({ items: [item(1, 25 * hour), item(2, 24 * hour), item(3, hour)], seq: 3 });
    assert.deepEqual(next.items.map((i) => i.key), ['k2', 'k3']);
    assert.deepEqual(next.dropped.map((d) => [d.item.key, d.why]), [['k1', 'expired']]);
  });

  it('changes nothing when nothing is delivered, added or due to be dropped', () => {
    const items = [item(1), item(2)];
    const next = update({ items, seq: 2 });
    assert.deepEqual(next.items, items);
    assert.equal(next.seq, 2);
  });

  it('uses a bound of 20 entries and a day by default', () => {
    const next = updateOutbox<string>({ items: [item(1, 24 * hour + 1)], seq: 1, added: Array.from({ length: 21 }, (_, i) => `n${i}`), delivered: new Set(), now, keyOf });
    assert.equal(next.items.length, 20);
    assert.deepEqual(next.dropped.map((d) => [d.item.key, d.why]), [['k1', 'expired'], ['k2', 'full']]);
  });
});
