import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings } from '../../../src/cli/controller/settings.ts';
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
