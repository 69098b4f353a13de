import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createNotifier } from '../../../src/adapters/notify/factory.ts';
import { createNoopNotifier } from '../../../src/adapters/notify/noop.ts';
import type { DeliveryOutcome, Notifier, OutboxNotice } from '../../../src/ports.ts';
import { captureLogs, fakeTime, notice, receivers } from './fixtures.ts';

const secret = 'hmac-KEY-secret-0123';

function entry(key: string, overrides: Parameters<typeof notice>[0] = {}): OutboxNotice {
  return { key, notice: notice(overrides) };
}

/** Delivers and resolves with the outcome. */
function deliver(notifier: Notifier, item: OutboxNotice): Promise<DeliveryOutcome> {
  return new Promise((resolve) => notifier.deliver(item, resolve));
}

void describe('delivering outbox entries', () => {
  const receiver = receivers();

  void test('an entry is delivered once Slack and every webhook have it, keyed by its outbox key', async () => {
    const slack = await receiver();
    const a = await receiver();
    const b = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ slack: { webhookUrl: `${slack.url}/services/x` }, webhookSecret: secret, clock: time.clock, sleep: time.sleep });
    const outcome = await deliver(notifier, entry('3f9a0c', { slackChannel: '#deploys', webhooks: [`${a.url}/h`, `${b.url}/h`] }));
    assert.equal(outcome, 'delivered');
    assert.equal(slack.requests.length, 1);
    for (const hook of [a, b]) {
      const [request] = hook.requests;
      assert.ok(request !== undefined);
      assert.equal(request.headers['idempotency-key'], '3f9a0c');
      assert.equal(request.headers['x-fledge-delivery'], '3f9a0c');
      assert.equal((JSON.parse(request.body) as { id: string }).id, '3f9a0c');
      assert.equal(request.headers['x-fledge-signature'], `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`);
    }
  });

  void test('a target that answers 4xx counts as done, with a warning naming it', async () => {
    const gone = await receiver(() => ({ status: 410 }));
    const logs = captureLogs();
    const time = fakeTime();
    const notifier = createNotifier({ clock: time.clock, sleep: time.sleep, logger: logs.logger });
    assert.equal(await deliver(notifier, entry('k1', { webhooks: [`${gone.url}/h`] })), 'delivered');
    assert.equal(gone.requests.length, 1);
    assert.deepEqual(logs.records(40).map((r) => [r.target, r.why]), [['webhook#1', 'HTTP 410']]);
  });

  void test('a target still failing after its retries leaves the entry undelivered; handed over again, only that target is sent it', async () => {
    let up = false;
    const flaky = await receiver(() => (up ? { status: 200 } : { status: 503 }));
    const steady = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ clock: time.clock, sleep: time.sleep, maxRetries: 1 });
    const item = entry('k2', { webhooks: [`${steady.url}/h`, `${flaky.url}/h`] });
    assert.equal(await deliver(notifier, item), 'undelivered');
    assert.equal(flaky.requests.length, 2);
    assert.equal(steady.requests.length, 1);
    up = true;
    assert.equal(await deliver(notifier, item), 'delivered');
    assert.equal(flaky.requests.length, 3);
    assert.equal(steady.requests.length, 1, 'the target that had it is not sent it again');
    assert.ok(flaky.requests.every((r) => r.headers['idempotency-key'] === 'k2'));
    assert.equal(await deliver(notifier, item), 'delivered');
    assert.deepEqual([flaky.requests.length, steady.requests.length], [3, 1], 'a delivered key is not sent again by this notifier');
  });

  void test('an entry without any target is delivered at once, but never from within deliver()', async () => {
    const notifier = createNotifier();
    let outcome: DeliveryOutcome | null = null;
    notifier.deliver(entry('k3'), (o) => { outcome = o; });
    assert.equal(outcome, null);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(outcome, 'delivered');
  });

  void test('after close() an entry is reported undelivered and nothing is sent', async () => {
    const hook = await receiver();
    const notifier = createNotifier();
    await notifier.close();
    assert.equal(await deliver(notifier, entry('k4', { webhooks: [`${hook.url}/h`] })), 'undelivered');
    assert.equal(hook.requests.length, 0);
  });

  void test('the no-op notifier reports every entry delivered, later', async () => {
    const notifier = createNoopNotifier();
    let outcome: DeliveryOutcome | null = null;
    notifier.deliver(entry('k5', { webhooks: ['https://hooks.example.com/x'] }), (o) => { outcome = o; });
    assert.equal(outcome, null);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(outcome, 'delivered');
  });
});
