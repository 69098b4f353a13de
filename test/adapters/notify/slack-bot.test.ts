import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/adapters/notify/factory.ts';
import { captureLogs, send, fakeTime, notice, promotedRelease, rolledBackRelease, slackApi, slackCall, receivers, type Receiver } from './fixtures.ts';

const botToken = 'xoxb-1111-2222-botTOKENsecret';

function calls(receiver: Receiver): ReturnType<typeof slackCall>[] {
  return receiver.requests.map(slackCall);
}

function attachmentText(payload: Record<string, unknown>): string {
  return JSON.stringify(payload.attachments);
}

void describe('Slack bot token', () => {
  const receiver = receivers();

  async function setup(respond = slackApi()) {
    const slack = await receiver(respond);
    const time = fakeTime();
    const logs = captureLogs();
    const notifier = createNotifier({
      slack: { botToken, apiUrl: `${slack.url}/api/` },
      clock: time.clock, sleep: time.sleep, logger: logs.logger,
    });
    return { slack, time, logs, notifier };
  }

  void test('a release is one message, updated in place with the latest state, with a thread reply per step', async () => {
    const { slack, notifier } = await setup();
    for (const n of promotedRelease([10, 25, 50], { slackChannel: '#deploys' })) send(notifier, n);
    await notifier.flush();

    const all = calls(slack);
    assert.ok(all.every((c) => c.authorization === `Bearer ${botToken}`));
    const opened = all.filter((c) => c.method === 'chat.postMessage' && c.payload.thread_ts === undefined);
    const updates = all.filter((c) => c.method === 'chat.update');
    const replies = all.filter((c) => c.method === 'chat.postMessage' && c.payload.thread_ts !== undefined);
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.payload.channel, '#deploys');
    assert.match(attachmentText(opened[0]!.payload), /NewRevision/);
    assert.equal(updates.length, 4);
    assert.ok(updates.every((c) => c.payload.ts === '1700000000.000001' && c.payload.channel === 'C0DEPLOYS'));
    assert.deepEqual(updates.map((c) => /\*Event\*\\n(\w+)/.exec(attachmentText(c.payload))?.[1]), ['StepAdvanced', 'StepAdvanced', 'StepAdvanced', 'Promoted']);
    assert.match(attachmentText(updates[3]!.payload), /\*Phase\*\\nSucceeded/);
    assert.equal(replies.length, 4);
    assert.ok(replies.every((c) => c.payload.thread_ts === '1700000000.000001' && c.payload.channel === 'C0DEPLOYS'));
    assert.deepEqual(replies.map((c) => /canary at (\d+)%/.exec(String(c.payload.text))?.[1]), ['10', '25', '50', '0']);
    // Each update precedes its thread reply.
    assert.deepEqual(all.map((c) => (c.payload.thread_ts === undefined ? c.method : 'reply')), [
      'chat.postMessage', 'chat.update', 'reply', 'chat.update', 'reply', 'chat.update', 'reply', 'chat.update', 'reply',
    ]);
  });

  void test('a new revision of the same app gets its own message', async () => {
    const { slack, notifier } = await setup();
    for (const n of rolledBackRelease({ slackChannel: '#deploys' })) send(notifier, n);
    send(notifier, notice({ slackChannel: '#deploys', revision: '9d0e1f2' }));
    await notifier.flush();

    const opened = calls(slack).filter((c) => c.method === 'chat.postMessage' && c.payload.thread_ts === undefined);
    assert.equal(opened.length, 2);
    assert.match(attachmentText(opened[1]!.payload), /9d0e1f2/);
    const lastUpdate = calls(slack).filter((c) => c.method === 'chat.update').pop()!;
    assert.match(attachmentText(lastUpdate.payload), /RolledBack/);
  });

  void test('the Web API answering 429 with Retry-After is honoured before retrying', async () => {
    const { slack, time, notifier } = await setup(slackApi((_c, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : null)));
    send(notifier, notice({ slackChannel: '#deploys' }));
    await notifier.flush();

    assert.deepEqual(calls(slack).map((c) => c.method), ['chat.postMessage', 'chat.postMessage']);
    assert.ok(time.sleeps.includes(2000), `sleeps ${time.sleeps.join(', ')}`);
  });

  void test('ok:false with a transient error is retried; with a permanent error it is dropped with a warning', async () => {
    const transient = await setup(slackApi((_c, i) => (i === 0 ? { status: 200, body: '{"ok":false,"error":"internal_error"}' } : null)));
    send(transient.notifier, notice({ slackChannel: '#deploys' }));
    await transient.notifier.flush();
    assert.equal(transient.slack.requests.length, 2);
    assert.equal(transient.logs.records(40).length, 0);

    const permanent = await setup(slackApi(() => ({ status: 200, body: '{"ok":false,"error":"channel_not_found"}' })));
    send(permanent.notifier, notice({ slackChannel: '#nowhere' }));
    await permanent.notifier.flush();
    assert.equal(permanent.slack.requests.length, 1);
    const [warning] = permanent.logs.records(40);
    assert.equal(warning?.why, 'channel_not_found');
    assert.equal(warning?.target, 'slack-bot:#nowhere');
  });

  void test('a release message that can no longer be edited is posted afresh', async () => {
    const { slack, notifier } = await setup(slackApi((c) => (c.method === 'chat.update' ? { status: 200, body: '{"ok":false,"error":"message_not_found"}' } : null)));
    for (const n of promotedRelease([50], { slackChannel: '#deploys' })) send(notifier, n);
    await notifier.flush();

    const methods = calls(slack).map((c) => (c.payload.thread_ts === undefined ? c.method : 'reply'));
    assert.deepEqual(methods, ['chat.postMessage', 'chat.update', 'chat.postMessage', 'chat.update', 'chat.postMessage']);
  });
});
