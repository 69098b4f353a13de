import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createNotifier } from '../../../src/adapters/notify/factory.ts';
import { captureLogs, send, fakeTime, notice, promotedRelease, refusedUrl, rolledBackRelease, receivers, until, type Received } from './fixtures.ts';

const secret = 'hmac-KEY-secret-0123';

/** What a receiver does: recompute the HMAC over the raw body and compare in constant time. */
function verifies(request: Received, key: string): boolean {
  const signature = String(request.headers['x-fledge-signature'] ?? '');
  const expected = `sha256=${createHmac('sha256', key).update(request.body).digest('hex')}`;
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

function payload(request: Received): Record<string, unknown> {
  return JSON.parse(request.body) as Record<string, unknown>;
}

void describe('JSON webhook', () => {
  const receiver = receivers();

  void test('a promoted and a rolled-back release arrive in order with app, namespace, revision, phase, weight and reason', async () => {
    const hook = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ webhookSecret: secret, clock: time.clock, sleep: time.sleep });
    const webhooks = [`${hook.url}/fledge`];
    for (const n of promotedRelease([10, 50], { webhooks })) send(notifier, n);
    for (const n of rolledBackRelease({ webhooks, name: 'cart', revision: 'c4a7e01' })) send(notifier, n);
    await notifier.flush();

    const bodies = hook.requests.map(payload);
    assert.deepEqual(bodies.map((b) => [b.name, b.reason, b.canaryWeight, b.phase]), [
      ['checkout', 'NewRevision', 0, 'Progressing'],
      ['checkout', 'StepAdvanced', 10, 'Progressing'],
      ['checkout', 'StepAdvanced', 50, 'Progressing'],
      ['checkout', 'Promoted', 0, 'Succeeded'],
      ['cart', 'NewRevision', 0, 'Progressing'],
      ['cart', 'StepAdvanced', 10, 'Progressing'],
      ['cart', 'RolledBack', 0, 'Failed'],
    ]);
    const rolledBack = bodies[6]!;
    assert.equal(rolledBack.namespace, 'shop');
    assert.equal(rolledBack.revision, 'c4a7e01');
    assert.equal(rolledBack.severity, 'Warning');
    assert.match(String(rolledBack.message), /canary fails 8\.2× as often/);
    assert.match(String(rolledBack.text), /^cart\.shop RolledBack: revision c4a7e01, Failed, canary at 0%\./);
    assert.equal(rolledBack.id, 'shop/cart@c4a7e01:RolledBack');
    assert.equal(rolledBack.webhooks, undefined); // receivers never see each other's URLs
    assert.ok(hook.requests.every((r) => r.headers['content-type'] === 'application/json; charset=utf-8'));
  });

  void test('the signature verifies with the shared secret and not with another key, and the timestamp is signed', async () => {
    const hook = await receiver();
    const time = fakeTime(Date.UTC(2025, 5, 1, 8, 30, 15, 250));
    const notifier = createNotifier({ webhookSecret: secret, clock: time.clock, sleep: time.sleep });
    send(notifier, notice({ webhooks: [`${hook.url}/fledge`] }));
    await notifier.flush();

    const [request] = hook.requests;
    assert.ok(request !== undefined);
    assert.match(String(request.headers['x-fledge-signature']), /^sha256=[0-9a-f]{64}$/);
    assert.ok(verifies(request, secret));
    assert.ok(!verifies(request, 'another-key'));
    assert.ok(!verifies({ ...request, body: request.body.replace('"canaryWeight":0', '"canaryWeight":100') }, secret));
    const timestamp = Math.floor(Date.UTC(2025, 5, 1, 8, 30, 15) / 1000);
    assert.equal(request.headers['x-fledge-timestamp'], String(timestamp));
    assert.equal(payload(request).timestamp, timestamp);
    assert.equal(request.headers['x-fledge-delivery'], 'shop/checkout@7f9c2ab:NewRevision');
  });

  void test('without a secret requests are sent unsigned', async () => {
    const hook = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ clock: time.clock, sleep: time.sleep });
    send(notifier, notice({ webhooks: [`${hook.url}/fledge`] }));
    await notifier.flush();
    assert.equal(hook.requests.length, 1);
    assert.equal(hook.requests[0]!.headers['x-fledge-signature'], undefined);
  });

  void test('a receiver that is down neither delays notify() nor holds up other targets', async () => {
    const live = await receiver();
    const slack = await receiver();
    const down = await refusedUrl();
    const logs = captureLogs();
    let now = Date.UTC(2025, 0, 1);
    const sleeps: number[] = [];
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let started = 0;
    let settled = 0;
    const notifier = createNotifier({
      slack: { webhookUrl: `${slack.url}/services/T/B/x`, defaultChannel: '#d' },
      clock: { now: () => now },
      sleep: async (ms) => { sleeps.push(ms); await gate; now += ms; },
      fetch: async (...args) => {
        started += 1;
        try {
          return await fetch(...args);
        } finally {
          settled += 1;
        }
      },
      logger: logs.logger,
      perChannelIntervalMs: 0,
    });

    const returned: unknown = notifier.deliver({ key: 'shop/checkout@7f9c2ab:Promoted', notice: notice({ webhooks: [down, `${live.url}/fledge`] }) }, () => undefined);
    assert.equal(returned, undefined);
    assert.equal(started, 0); // nothing was even attempted on the caller's path
    assert.equal(settled, 0);

    // The dead webhook's lane sits in backoff (the gate is closed) while the others deliver.
    await until(() => live.requests.length === 1 && slack.requests.length === 1 && sleeps.length === 1);
    assert.deepEqual(sleeps, [500]);

    release();
    await notifier.flush();
    assert.deepEqual(sleeps, [500, 1000, 2000, 4000]);
    const dropped = logs.records(40);
    assert.equal(dropped.length, 1);
    assert.equal(dropped[0]!.target, 'webhook#1');
    assert.equal(dropped[0]!.attempts, 5);
    assert.equal(dropped[0]!.why, 'ECONNREFUSED');
  });

  void test('a 5xx is retried until it succeeds, a 4xx is not', async () => {
    const flaky = await receiver((_r, i) => (i < 2 ? { status: 503 } : { status: 204 }));
    const strict = await receiver(() => ({ status: 400 }));
    const time = fakeTime();
    const logs = captureLogs();
    const notifier = createNotifier({ clock: time.clock, sleep: time.sleep, logger: logs.logger });
    send(notifier, notice({ webhooks: [`${flaky.url}/a`, `${strict.url}/b`] }));
    await notifier.flush();

    assert.equal(flaky.requests.length, 3);
    assert.equal(flaky.requests[2]!.body.includes('"id":"shop/checkout@7f9c2ab:NewRevision"'), true);
    assert.equal(strict.requests.length, 1);
    assert.deepEqual(logs.records(40).map((r) => [r.target, r.why]), [['webhook#2', 'HTTP 400']]);
  });

  void test('each webhook URL of a notice is posted once, even when listed twice', async () => {
    const hook = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ clock: time.clock, sleep: time.sleep });
    send(notifier, notice({ webhooks: [`${hook.url}/x`, `${hook.url}/x`] }));
    await notifier.flush();
    assert.equal(hook.requests.length, 1);
  });
});
