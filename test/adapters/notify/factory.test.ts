import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier, notifierLogger } from '../../../src/adapters/notify/factory.ts';
import { createNoopNotifier } from '../../../src/adapters/notify/noop.ts';
import { isFledgeError } from '../../../src/errors.ts';
import { captureLogs, send, fakeTime, notice, promotedRelease, refusedUrl, slackApi, receivers } from './fixtures.ts';

function configError(fragment: string, secret?: string) {
  return (error: unknown): boolean =>
    isFledgeError(error) && error.code === 'FLEDGE_CONFIG_INVALID' && error.message.includes(fragment)
    && (secret === undefined || !error.message.includes(secret));
}

void describe('createNotifier', () => {
  const receiver = receivers();

  void test('rejects a bad template, URL or count at start-up without echoing the URL', () => {
    assert.throws(() => createNotifier({ template: '{{app}}' }), configError('{{app}}'));
    assert.throws(() => createNotifier({ slack: { webhookUrl: 'hooks.slack.com/services/SECRET' } }), configError('slack.webhookUrl', 'SECRET'));
    assert.throws(() => createNotifier({ slack: { webhookUrl: 'ftp://x/SECRET' } }), configError('http(s)', 'SECRET'));
    assert.throws(() => createNotifier({ slack: { botToken: 'xoxb-1', apiUrl: 'not a url' } }), configError('slack.apiUrl'));
    assert.throws(() => createNotifier({ slack: { botToken: 'xoxb-1', links: { dashboard: 'https://g/{{pod}}' } } }), configError('slack.links.dashboard'));
    assert.throws(() => createNotifier({ maxRetries: -1 }), configError('maxRetries'));
    assert.throws(() => createNotifier({ perChannelIntervalMs: 0.5 }), configError('perChannelIntervalMs'));
  });

  void test('with both Slack credentials the bot token is used, since only it can update a message', async () => {
    const api = await receiver(slackApi());
    const hook = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ slack: { botToken: 'xoxb-1', apiUrl: `${api.url}/api`, webhookUrl: `${hook.url}/services/x` }, clock: time.clock, sleep: time.sleep });
    send(notifier, notice({ slackChannel: '#deploys' }));
    await notifier.flush();
    assert.equal(api.requests.length, 1);
    assert.equal(hook.requests.length, 0);
  });

  void test('without Slack credentials notices still reach their webhooks', async () => {
    const hook = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ slack: { webhookUrl: '', botToken: undefined, defaultChannel: '#d' }, clock: time.clock, sleep: time.sleep });
    send(notifier, notice({ slackChannel: '#deploys', webhooks: [`${hook.url}/h`] }));
    await notifier.flush();
    assert.equal(hook.requests.length, 1);
  });

  void test('after close() notices are ignored and nothing is sent', async () => {
    const hook = await receiver();
    const time = fakeTime();
    const notifier = createNotifier({ clock: time.clock, sleep: time.sleep });
    send(notifier, notice({ webhooks: [`${hook.url}/h`] }));
    await notifier.close();
    send(notifier, notice({ reason: 'Promoted', webhooks: [`${hook.url}/h`] }));
    await notifier.flush();
    assert.deepEqual(hook.requests.map((r) => (JSON.parse(r.body) as { reason: string }).reason), ['NewRevision']);
  });

  void test('no webhook URL token, bot token or HMAC key appears in any log line, even when every delivery fails', async () => {
    const secrets = ['webhookPATHtoken', 'xoxb-9-botTOKENsecret', 'hmacKEYsecret', 'hookPATHsecret', 'refusedPATHsecret', 'badURLsecret'];
    const logs = captureLogs();
    const time = fakeTime();
    const slackHook = await receiver((_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 500 }));
    const slackBotApi = await receiver(slackApi(() => ({ status: 200, body: '{"ok":false,"error":"invalid_auth"}' })));
    const hook = await receiver(() => ({ status: 403 }));
    const refused = await refusedUrl();
    const common = { webhookSecret: 'hmacKEYsecret', clock: time.clock, sleep: time.sleep, logger: logs.logger, maxRetries: 2 };
    const webhooks = [`${hook.url}/hookPATHsecret`, `${refused}/refusedPATHsecret`, 'http://[badURLsecret'];

    const viaWebhook = createNotifier({ ...common, slack: { webhookUrl: `${slackHook.url}/services/T/B/webhookPATHtoken` } });
    const viaBot = createNotifier({ ...common, slack: { botToken: 'xoxb-9-botTOKENsecret', apiUrl: `${slackBotApi.url}/api` } });
    for (const n of promotedRelease([10], { slackChannel: '#deploys', webhooks })) {
      send(viaWebhook, n);
      send(viaBot, n);
    }
    await Promise.all([viaWebhook.close(), viaBot.close()]);

    const warnings = logs.records(40);
    assert.ok(slackHook.requests.length > 0 && slackBotApi.requests.length > 0 && hook.requests.length > 0);
    assert.ok(warnings.length >= 8, `expected drop warnings, got ${warnings.length}`);
    assert.ok(warnings.some((w) => w.target === 'webhook#2' && w.why === 'ECONNREFUSED'));
    assert.ok(warnings.some((w) => w.target === 'webhook#3' && w.why === 'ERR_INVALID_URL'));
    assert.ok(warnings.some((w) => w.target === 'slack-bot:#deploys' && w.why === 'invalid_auth'));
    for (const line of logs.lines) {
      for (const secret of secrets) assert.ok(!line.includes(secret), `log line leaks ${secret}: ${line}`);
    }
  });

  void test('credentials put into a log object by mistake are redacted', () => {
    const logs = captureLogs();
    notifierLogger(logs.logger).warn({ url: 'https://hooks/SECRET1', slack: { botToken: 'SECRET2' }, headers: { authorization: 'Bearer SECRET3' } }, 'oops');
    assert.equal(logs.lines.length, 1);
    assert.doesNotMatch(logs.lines[0]!, /SECRET/);
    assert.match(logs.lines[0]!, /"component":"notifier"/);
  });

  void test('the no-op notifier accepts notices and has nothing to flush', async () => {
    const notifier = createNoopNotifier();
    send(notifier, notice());
    await notifier.flush();
    await notifier.close();
  });
});
