import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { notifierOptions } from '../../../src/cli/controller-command.ts';
import { readSettings, settingEnv } from '../../../src/cli/controller/settings.ts';
import { isFledgeError } from '../../../src/errors.ts';

const password = 'pw-0f1e2d3c4b5a';

void describe('controller settings: the Prometheus URL', () => {
  void it('refuses a URL with a user and password, points to the credential files and does not repeat the password', () => {
    for (const url of [`http://fledge:${password}@prometheus:9090`, 'https://fledge@prometheus:9090/prom']) {
      assert.throws(
        () => readSettings({ 'prometheus-url': url }, {}),
        (error: unknown) =>
          isFledgeError(error) &&
          error.code === 'FLEDGE_USAGE' &&
          /^--prometheus-url \(or FLEDGE_PROMETHEUS_URL\): must not carry a user name or password; use --prometheus-token-file/.test(error.message) &&
          !error.message.includes(password),
      );
    }
  });

  void it('accepts a URL whose path or query holds an @', () => {
    assert.equal(readSettings({}, { FLEDGE_PROMETHEUS_URL: 'http://prometheus:9090/a@b' })['prometheus-url'], 'http://prometheus:9090/a@b');
  });
});

/** The operator-wide settings docs/notifications.md lists, with the flag each row names. */
function documentedSettings(): Array<{ setting: string; flag: string | null }> {
  const doc = readFileSync(new URL('../../../docs/notifications.md', import.meta.url), 'utf8');
  const table = doc.slice(doc.indexOf('Operator-wide settings'), doc.indexOf('## What a notice says'));
  return table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Setting')).map((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    return { setting: cells[1] ?? '', flag: /`--([a-z-]+)`/.exec(cells[2] ?? '')?.[1] ?? null };
  });
}

void describe('controller settings: notifications', () => {
  void it('has a flag (and a FLEDGE_* variable) for every setting docs/notifications.md lists', () => {
    const rows = documentedSettings();
    assert.ok(rows.length >= 8, `the table was read: ${rows.map((r) => r.setting).join(', ')}`);
    for (const row of rows) {
      assert.ok(row.flag !== null, `docs/notifications.md names no flag for "${row.setting}"`);
      assert.ok(Object.hasOwn(settingEnv, row.flag), `--${row.flag} ("${row.setting}") is not a controller flag`);
    }
  });

  void it('hands every notification setting to the notifier', () => {
    const settings = readSettings({
      'prometheus-url': 'http://prometheus:9090', 'slack-channel': '#deploys', 'slack-api-url': 'https://slack.example/api',
      'dashboard-link': 'https://grafana.example/d/fledge?var-app={{name}}', 'message-template': '{{name}}: {{message}}', 'notify-interval': '3s',
    }, {});
    const options = notifierOptions(settings, { botToken: 'xoxb-1', webhookUrl: undefined, webhookSecret: 's' });
    assert.deepEqual(options, {
      slack: { botToken: 'xoxb-1', webhookUrl: undefined, apiUrl: 'https://slack.example/api', defaultChannel: '#deploys', links: { dashboard: 'https://grafana.example/d/fledge?var-app={{name}}' } },
      webhookSecret: 's',
      template: '{{name}}: {{message}}',
      perChannelIntervalMs: 3000,
    });
  });
});
