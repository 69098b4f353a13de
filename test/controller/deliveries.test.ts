import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Deliveries } from '../../src/controller/deliveries.ts';
import type { DeliveryOutcome, Notifier, OutboxNotice } from '../../src/ports.ts';
import { notice } from '../adapters/notify/fixtures.ts';

const log = pino({ level: 'silent' });
const app = 'shop/checkout';

/** A notifier that records hand-overs and lets the test say when each ends. */
function heldNotifier(): Notifier & { handed: string[]; finish: (key: string, outcome: DeliveryOutcome) => void } {
  const pending = new Map<string, (outcome: DeliveryOutcome) => void>();
  const handed: string[] = [];
  return {
    handed,
    deliver: (entry, onDone) => {
      handed.push(entry.key);
      pending.set(entry.key, onDone);
    },
    finish: (key, outcome) => pending.get(key)?.(outcome),
  };
}

const entries = (...keys: string[]): OutboxNotice[] => keys.map((key) => ({ key, notice: notice() }));

describe('handing outbox entries to the notifier', () => {
  it('does not hand over an entry still in flight, and hands it over again once it came back undelivered', () => {
    const notifier = heldNotifier();
    const deliveries = new Deliveries();
    deliveries.handOver({ app, entries: entries('a', 'b'), notifier, log });
    deliveries.handOver({ app, entries: entries('a', 'b', 'c'), notifier, log });
    assert.deepEqual(notifier.handed, ['a', 'b', 'c']);
    notifier.finish('a', 'undelivered');
    deliveries.handOver({ app, entries: entries('a', 'b', 'c'), notifier, log });
    assert.deepEqual(notifier.handed, ['a', 'b', 'c', 'a']);
  });

  it('reports a delivered entry\'s app, offers its key for removal and never hands it over again', () => {
    const notifier = heldNotifier();
    const deliveries = new Deliveries();
    const woken: string[] = [];
    deliveries.onDelivered((key) => woken.push(key));
    deliveries.handOver({ app, entries: entries('a'), notifier, log });
    notifier.finish('a', 'delivered');
    notifier.finish('a', 'delivered'); // a second report changes nothing
    assert.deepEqual(woken, [app]);
    assert.deepEqual([...deliveries.delivered(app)], ['a']);
    deliveries.handOver({ app, entries: entries('a'), notifier, log }); // the write removing it has not happened yet
    assert.deepEqual(notifier.handed, ['a']);
    deliveries.handOver({ app, entries: [], notifier, log }); // written without it: forgotten
    assert.deepEqual([...deliveries.delivered(app)], []);
  });

  it('keeps apps apart', () => {
    const notifier = heldNotifier();
    const deliveries = new Deliveries();
    deliveries.handOver({ app, entries: entries('a'), notifier, log });
    deliveries.handOver({ app: 'shop/cart', entries: entries('a'), notifier, log });
    assert.deepEqual(notifier.handed, ['a', 'a']);
    notifier.finish('a', 'delivered');
    assert.equal(deliveries.delivered('shop/cart').size + deliveries.delivered(app).size, 1);
  });

  it('survives a notifier that throws, leaving the entry for the next hand-over', () => {
    let calls = 0;
    const notifier: Notifier = {
      deliver: () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
      },
    };
    const deliveries = new Deliveries();
    assert.doesNotThrow(() => deliveries.handOver({ app, entries: entries('a'), notifier, log }));
    deliveries.handOver({ app, entries: entries('a'), notifier, log });
    assert.equal(calls, 2);
  });
});
