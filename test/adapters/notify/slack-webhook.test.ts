import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/adapters/notify/factory.ts';
import { captureLogs, send, fakeTime, notice, promotedRelease, rolledBackRelease, receivers, type Receiver } from './fixtures.ts';

interface WebhookMessage {
  text: string;
  attachments: { color: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[] }[];
}

function message(receiver: Receiver, index: number): WebhookMessage {
  return JSON.parse(receiver.requests[index]!.body) as WebhookMessage;
}

/** The message's Block Kit text, flattened: header, fields, sections, context. */
function blockText(m: WebhookMessage): string {
  return m.attachments.flatMap((a) => a.blocks).flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)])
    .filter((t) => t !== undefined).join('\n');
}

const webhookPath = '/services/T0001/B0002/webhookTOKENsecret';

void describe('Slack incoming webhook', () => {
  const receiver = receivers();

  void test('a promoted release arrives in order as Block Kit messages naming app, namespace, revision, phase, weight and reason', async () => {
    const slack = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ slack: { webhookUrl: slack.url + webhookPath }, clock: time.clock, sleep: time.sleep });
    const notices = promotedRelease([10, 25, 50], { slackChannel: '#deploys' });
    for (const n of notices) send(notifier, n);
    await notifier.flush();

    assert.equal(slack.requests.length, 5);
    assert.ok(slack.requests.every((r) => r.method === 'POST' && r.path === webhookPath));
    const messages = slack.requests.map((_r, i) => message(slack, i));
    assert.deepEqual(messages.map((m) => blockText(m).match(/\*Event\*\n(\w+)/)?.[1]), ['NewRevision', 'StepAdvanced', 'StepAdvanced', 'StepAdvanced', 'Promoted']);
    assert.deepEqual(messages.map((m) => blockText(m).match(/\*Canary weight\*\n(\d+)%/)?.[1]), ['0', '10', '25', '50', '0']);
    const last = blockText(messages[4]!);
    assert.match(last, /checkout · shop/);
    assert.match(last, /\*Revision\*\n`7f9c2ab`/);
    assert.match(last, /\*Phase\*\nSucceeded/);
    assert.match(last, /promoted 7f9c2ab after 3 steps/);
    assert.match(messages[4]!.text, /^:white_check_mark: checkout\.shop Promoted/);
    assert.equal(messages[4]!.attachments[0]!.color, '#2eb886');
  });

  void test('a rolled-back release ends with a red warning message carrying the judge\'s reason', async () => {
    const slack = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ slack: { webhookUrl: slack.url + webhookPath, defaultChannel: '#deploys' }, clock: time.clock, sleep: time.sleep });
    for (const n of rolledBackRelease()) send(notifier, n);
    await notifier.flush();

    assert.equal(slack.requests.length, 3);
    const last = message(slack, 2);
    assert.match(blockText(last), /\*Event\*\nRolledBack/);
    assert.match(blockText(last), /\*Phase\*\nFailed/);
    assert.match(blockText(last), /canary fails 8\.2× as often as primary/);
    assert.match(last.text, /^:x: /);
    assert.equal(last.attachments[0]!.color, '#a30200');
  });

  void test('the message text follows a custom template and a dashboard link is added when configured', async () => {
    const slack = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({
      slack: { webhookUrl: slack.url + webhookPath, defaultChannel: '#deploys', links: { dashboard: 'https://grafana.example/d/fledge?ns={{namespace}}&app={{name}}' } },
      template: '[{{namespace}}/{{name}}] {{reason}} @ {{weight}}%: {{message}}',
      clock: time.clock,
      sleep: time.sleep,
    });
    send(notifier, notice({ reason: 'StepAdvanced', canaryWeight: 25, message: 'p99 < 300ms & errors <1%' }));
    await notifier.flush();

    const m = message(slack, 0);
    assert.equal(m.text, ':hatching_chick: [shop/checkout] StepAdvanced @ 25%: p99 &lt; 300ms &amp; errors &lt;1%');
    assert.match(blockText(m), /<https:\/\/grafana\.example\/d\/fledge\?ns=shop&app=checkout\|Dashboard>/);
  });

  void test('notices whose Canary names no Slack channel skip Slack when no default channel is set', async () => {
    const slack = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ slack: { webhookUrl: slack.url + webhookPath }, clock: time.clock, sleep: time.sleep });
    send(notifier, notice());
    send(notifier, notice({ name: 'cart', slackChannel: '#deploys' }));
    await notifier.flush();

    assert.equal(slack.requests.length, 1);
    assert.match(message(slack, 0).text, /cart\.shop/);
  });

  void test('Slack answering 429 with Retry-After: 1 is retried after waiting at least a second', async () => {
    const slack = await receiver((_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' } : { status: 200, body: 'ok' }));
    const time = fakeTime();
    const notifier = createNotifier({ slack: { webhookUrl: slack.url + webhookPath, defaultChannel: '#d' }, clock: time.clock, sleep: time.sleep, perChannelIntervalMs: 0 });
    send(notifier, notice());
    await notifier.flush();

    assert.equal(slack.requests.length, 2);
    assert.equal(slack.requests[1]!.body, slack.requests[0]!.body);
    assert.deepEqual(time.sleeps, [1000]); // plain backoff would have waited 500 ms
  });

  void test('posts to one webhook are spaced by the per-channel interval', async () => {
    const time = fakeTime();
    const sentAt: number[] = [];
    const slack = await receiver(() => {
      sentAt.push(time.clock.now());
      return { status: 200, body: 'ok' };
    });
    const notifier = createNotifier({ slack: { webhookUrl: slack.url + webhookPath, defaultChannel: '#d' }, clock: time.clock, sleep: time.sleep, perChannelIntervalMs: 1500 });
    for (const n of promotedRelease([10, 50])) send(notifier, n);
    await notifier.flush();

    assert.equal(sentAt.length, 4);
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    assert.ok(gaps.every((gap) => gap >= 1500), `gaps ${gaps.join(', ')}`);
  });

  void test('a webhook that answers 404 is not retried and the drop is logged without the URL', async () => {
    const slack = await receiver(() => ({ status: 404, body: 'no_service' }));
    const time = fakeTime();
    const logs = captureLogs();
    const notifier = createNotifier({ slack: { webhookUrl: slack.url + webhookPath, defaultChannel: '#d' }, clock: time.clock, sleep: time.sleep, logger: logs.logger });
    send(notifier, notice());
    await notifier.flush();

    assert.equal(slack.requests.length, 1);
    const warnings = logs.records(40);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.target, 'slack-webhook');
    assert.equal(warnings[0]!.why, 'HTTP 404');
    assert.ok(logs.lines.every((line) => !line.includes('webhookTOKENsecret')));
  });
});
