import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allowListProblems, filterTargets, isInternalHost, refusalMessage } from '../../src/controller/allow-list.ts';

const allowList = ['https://hooks.example.com/fledge/', 'https://ci.example.org:8443/notify', 'http://10.0.0.5:8080/hooks/'];

function reasons(urls: string[], list: string[] = allowList): Array<string | null> {
  const { allowed, refused } = filterTargets(urls, list);
  return urls.map((url) => (allowed.includes(url) ? null : (refused.find((r) => r.url === url)?.reason ?? 'missing')));
}

describe('the webhook allow-list', () => {
  test('lets through targets under a listed prefix, in the order given', () => {
    const urls = ['https://ci.example.org:8443/notify/build/7', 'https://hooks.example.com/fledge/team-a?token=x', 'https://ci.example.org:8443/notify'];
    assert.deepEqual(filterTargets(urls, allowList), { allowed: urls, refused: [] });
  });

  test('matches scheme, host, port and whole path segments, never a look-alike', () => {
    assert.deepEqual(reasons([
      'http://hooks.example.com/fledge/x', // scheme differs
      'https://hooks.example.com:444/fledge/x', // port differs
      'https://evil.hooks.example.com/fledge/x', // a subdomain is another host
      'https://hooks.example.com.evil.net/fledge/x',
      'https://hooks.example.com/fledgeevil', // not under /fledge/
      'https://ci.example.org:8443/notifyall', // /notify covers /notify and /notify/…, not /notifyall
      'https://hooks.example.com/fledge/../admin', // normalised to /admin
      'https://hooks.example.com@evil.net/fledge/x', // user info, host evil.net
      'https://ci.example.org/notify', // default port is not 8443
    ]), Array(9).fill('not-listed'));
  });

  test('an empty allow-list lets nothing through', () => {
    const { allowed, refused } = filterTargets(['https://hooks.example.com/fledge/x'], []);
    assert.deepEqual(allowed, []);
    assert.equal(refused[0]?.reason, 'not-listed');
  });

  test('refuses every scheme but http and https, even a listed one', () => {
    assert.deepEqual(reasons(['ftp://hooks.example.com/fledge/x', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://10.0.0.5:8080/hooks/'], [...allowList, 'ftp://hooks.example.com/']),
      ['scheme', 'scheme', 'scheme', 'scheme']);
    assert.deepEqual(reasons(['not a url', '']), ['not-a-url', 'not-a-url']);
  });

  test('refuses private, loopback and link-local addresses in every spelling, unless an entry names that host', () => {
    const internal = [
      'http://127.0.0.1/fledge/', 'http://2130706433/', 'http://0x7f.1/', 'http://127.1:9090/', 'http://10.1.2.3/', 'http://172.16.5.4/', 'http://172.31.255.255/',
      'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data/', 'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[::1]/', 'http://[fe80::1]/',
      'http://[fd12:3456::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:a9fe:a9fe]/', 'http://localhost:8080/', 'http://api.localhost/', 'http://localhost./',
      'http://224.0.0.1/',
    ];
    // A catch-all-looking list of public prefixes does not open internal addresses.
    assert.deepEqual(reasons(internal, ['http://example.com/']), Array(internal.length).fill('private-address'));
    assert.deepEqual(reasons(['http://10.0.0.5:8080/hooks/deploys', 'http://10.0.0.5:8080/admin', 'http://10.0.0.6:8080/hooks/x']), [null, 'not-listed', 'private-address']);
  });

  test('public addresses are not internal', () => {
    for (const host of ['8.8.8.8', '172.32.0.1', '172.15.255.255', '100.128.0.1', '192.169.0.1', '169.255.0.1', '[2001:db8::1]', '[::ffff:808:808]', 'hooks.example.com', 'localhost.example.com']) {
      assert.equal(isInternalHost(new URL(`http://${host}/`).hostname), false, host);
    }
  });

  test('refusal messages name the target by scheme and host only, never its path or query', () => {
    const secret = 'https://hooks.slack.com/services/T0000/B0000/XXXXSECRET?token=abc';
    const { refused } = filterTargets([secret, 'http://169.254.169.254/latest/meta-data/iam'], allowList);
    for (const r of refused) {
      assert.doesNotMatch(r.message, /XXXXSECRET|token|meta-data/);
    }
    assert.match(refused[0]!.message, /^https:\/\/hooks\.slack\.com\/… matches no entry of the controller allow-list/);
    assert.equal(refusalMessage(refused), `notifications not sent to 2 targets: ${refused[0]!.message}; ${refused[1]!.message}`);
    assert.equal(refusalMessage([]), null);
  });

  test('names allow-list entries that are not http(s) URL prefixes, and ignores them when filtering', () => {
    assert.deepEqual(allowListProblems(['https://ok.example.com/a/', 'ftp://x/', 'hooks.example.com', 'https://q.example.com/a?x=1']), [
      'ftp://x: not an http(s) URL prefix', 'hooks.example.com: not an http(s) URL prefix', 'https://q.example.com/…: a prefix has no query or fragment',
    ]);
    assert.deepEqual(filterTargets(['ftp://x/y'], ['ftp://x/']).allowed, []);
  });

  test('never throws, and every target is either allowed or refused, whatever the input', () => {
    const target = fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.ipV4().map((ip) => `http://${ip}/x`), fc.ipV6().map((ip) => `http://[${ip}]/x`));
    fc.assert(fc.property(fc.array(target, { maxLength: 10 }), fc.array(fc.oneof(fc.string(), fc.webUrl()), { maxLength: 5 }), (urls, list) => {
      const { allowed, refused } = filterTargets(urls, list);
      assert.equal(allowed.length + refused.length, urls.length);
      for (const url of allowed) assert.ok(/^https?:/i.test(url));
    }), { seed: 9, numRuns: 500 });
  });
});
