import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { noticeKey, RecentSet } from '../../../src/adapters/notify/dedupe.ts';
import { createNotifier } from '../../../src/adapters/notify/factory.ts';
import { fakeTime, notice, receivers } from './fixtures.ts';

void describe('dedupe', () => {
  const receiver = receivers();

  void test('the same event for the same revision is sent once however often reconcile reports it', async () => {
    const hook = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ clock: time.clock, sleep: time.sleep });
    const webhooks = [`${hook.url}/h`];
    const events = [
      notice({ webhooks }),
      notice({ webhooks, at: 2 }), // same event, later reconcile
      notice({ webhooks, reason: 'StepAdvanced', canaryWeight: 10 }),
      notice({ webhooks, reason: 'StepAdvanced', canaryWeight: 10, message: 'again' }),
      notice({ webhooks, reason: 'StepAdvanced', canaryWeight: 25 }),
      notice({ webhooks, revision: 'b2c3d4e' }), // a new revision is news
      notice({ webhooks, name: 'cart' }),
    ];
    for (const n of events) notifier.notify(n);
    await notifier.flush();
    const sent = hook.requests.map((r) => (JSON.parse(r.body) as { id: string }).id);
    assert.deepEqual(sent, [
      'shop/checkout@7f9c2ab:NewRevision',
      'shop/checkout@7f9c2ab:StepAdvanced@10',
      'shop/checkout@7f9c2ab:StepAdvanced@25',
      'shop/checkout@b2c3d4e:NewRevision',
      'shop/cart@7f9c2ab:NewRevision',
    ]);
  });

  void test('pauses and resumes are news at each step, outcomes only once per revision', () => {
    assert.notEqual(noticeKey(notice({ reason: 'Paused', canaryWeight: 10 })), noticeKey(notice({ reason: 'Paused', canaryWeight: 25 })));
    assert.equal(noticeKey(notice({ reason: 'RolledBack', canaryWeight: 10 })), noticeKey(notice({ reason: 'RolledBack', canaryWeight: 0 })));
  });

  void test('the memory of sent notices is bounded and forgets the oldest first', () => {
    const seen = new RecentSet(2);
    assert.equal(seen.add('a'), true);
    assert.equal(seen.add('b'), true);
    assert.equal(seen.add('a'), false);
    assert.equal(seen.add('c'), true); // forgets a
    assert.equal(seen.add('b'), false);
    assert.equal(seen.add('a'), true);
  });
});
