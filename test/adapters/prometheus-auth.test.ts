import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authHeaders, displayUrl, redact, secretsOf } from '../../src/adapters/prometheus-auth.ts';

void describe('Prometheus credentials helpers', () => {
  void it('sends a bearer token rather than basic auth when both are given', () => {
    assert.deepEqual(authHeaders({ bearerToken: 'tok-123', basicAuth: { username: 'u', password: 'p' } }), { Authorization: 'Bearer tok-123' });
    assert.deepEqual(authHeaders({ basicAuth: { username: 'u', password: 'p:w' } }), { Authorization: `Basic ${Buffer.from('u:p:w').toString('base64')}` });
    assert.deepEqual(authHeaders({ headers: { 'X-Scope-OrgID': 'team-a' } }), { 'X-Scope-OrgID': 'team-a' });
    assert.deepEqual(authHeaders({ bearerToken: '' }), {});
  });

  void it('redacts every secret, the longest first, wherever it appears', () => {
    const secrets = secretsOf({ bearerToken: 'tok-123' }, 'http://prometheus:9090');
    assert.deepEqual(secrets, ['Bearer tok-123', 'tok-123']);
    assert.equal(redact('got Bearer tok-123 and tok-123 again', secrets), 'got [redacted] and [redacted] again');
  });

  void it('treats a password in the URL, as written and decoded, as a secret', () => {
    const secrets = secretsOf({}, 'http://user:p%40ss-word@prometheus:9090');
    assert.ok(secrets.includes('p%40ss-word') && secrets.includes('p@ss-word'));
    assert.deepEqual(secretsOf({}, 'not a url'), []);
  });

  void it('shows a URL without its user info, query or fragment', () => {
    assert.equal(displayUrl('https://user:pw@prom.example:9090/prom/?token=x#y'), 'https://prom.example:9090/prom/');
    assert.equal(displayUrl('http://127.0.0.1:9090/'), 'http://127.0.0.1:9090');
    assert.equal(displayUrl('::'), '(an unparsable URL)');
  });
});
