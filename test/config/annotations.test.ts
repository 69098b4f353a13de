import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations } from '../../src/config/annotations.ts';
import type { CanaryConfig } from '../../src/config/canary-config.ts';
import { loadCatalog, type Catalog } from '../../src/config/catalog.ts';
import { knobNames, knobs, type KnobName } from '../../src/config/knobs.ts';

// One row per knob: how to read its typed value off the resolved config, values that must
// parse (with the value expected) and values that must be refused with exactly one issue.
interface KnobCases {
  readonly read: (config: CanaryConfig) => unknown;
  readonly good: ReadonlyArray<readonly [string, unknown]>;
  readonly bad: readonly string[];
  /** Other annotations needed for the knob to matter (e.g. a window for its time zone). */
  readonly with?: Readonly<Record<string, string>>;
}

const hooks = 'https://hooks.example.com/services/T000/B000/secret-token';
const tooManyHooks = Array.from({ length: 11 }, (_, i) => `https://h${i}.example.com/`).join(',');

const cases: Record<KnobName, KnobCases> = {
  canary: { read: (c) => c.enabled, good: [['true', true], ['false', false], ['TRUE', true]], bad: ['yes', 'on', '1'] },
  strategy: { read: (c) => c.strategy, good: [['progressive', 'progressive'], ['blue-green', 'blue-green']], bad: ['rolling', 'Canary!'] },
  steps: {
    read: (c) => c.policy.steps,
    good: [['5,10,25,50', [5, 10, 25, 50]], [' 5, 10 ', [5, 10]], ['0', [0]], ['10,100', [10, 100]]],
    bad: ['10,5', '5,5', '5,101', '5.5,10', 'a,b', '5,,10', '-5,10'],
  },
  interval: { read: (c) => c.policy.intervalMs, good: [['30s', 30_000], ['1m', 60_000]], bad: ['3s', '30', 'soon', '1m1m'] },
  bake: { read: (c) => c.policy.bakeMs, good: [['2m', 120_000], ['1h30m', 5_400_000]], bad: ['4s', 'long'] },
  promotion: { read: (c) => c.policy.promotion, good: [['evidence', 'evidence'], ['schedule', 'schedule']], bad: ['auto', 'Evidence'] },
  analysis: { read: (c) => c.analysis.name, good: [['istio', 'istio'], ['generic', 'generic']], bad: ['prometheus', 'Linkerd'] },
  'success-rate-min': {
    read: (c) => c.policy.judge.successRateMin,
    good: [['99.5', 99.5], ['95%', 95], ['99.99', 99.99]],
    bad: ['100', '0', 'abc', '99.5%%', '-1'],
  },
  'latency-p99-max': {
    read: (c) => c.latencyEdgeMs,
    good: [['1000', 1000], ['1s', 1000], ['500ms', 500], ['100', 100]],
    bad: ['-5', '0', 'fast', '250'],
  },
  judge: { read: (c) => c.policy.judge.kind, good: [['threshold', 'threshold'], ['sequential', 'sequential']], bad: ['bayesian'] },
  'max-failed-checks': { read: (c) => c.policy.judge.maxFailedChecks, good: [['10', 10], ['1', 1]], bad: ['0', '2.5', 'many', '1001'] },
  alpha: { read: (c) => c.policy.judge.alpha, good: [['0.01', 0.01], ['0.5', 0.5]], bad: ['0', '0.6', '5%', 'low'] },
  beta: { read: (c) => c.policy.judge.beta, good: [['0.1', 0.1]], bad: ['0', '1', 'high'] },
  'progress-deadline': { read: (c) => c.policy.progressDeadlineMs, good: [['30m', 1_800_000], ['2m', 120_000]], bad: ['30s', 'never'] },
  'pause-limit': { read: (c) => c.policy.pauseLimitMs, good: [['45m', 2_700_000], ['1m', 60_000]], bad: ['30s', 'forever', '0'] },
  'on-no-data': { read: (c) => c.policy.onNoData, good: [['pause', 'pause'], ['rollback', 'rollback']], bad: ['wait', 'Pause', 'promote'] },
  'gate-timeout': { read: (c) => c.policy.gateTimeoutMs, good: [['4h', 14_400_000], ['1m', 60_000]], bad: ['10s', 'never'] },
  window: {
    read: (c) => c.policy.window,
    good: [['* 9-16 * * 1-5', { cron: '* 9-16 * * 1-5', timezone: 'UTC' }], ['*  *  * * *', { cron: '* * * * *', timezone: 'UTC' }]],
    bad: ['* * * *', '0 0 * * * *', '61 * * * *', 'weekdays', '0 0 30 2 *', '0 0 31 4,6 *'],
  },
  'window-timezone': {
    read: (c) => c.policy.window?.timezone,
    with: { 'fledge.dev/window': '* 9-16 * * 1-5' },
    good: [['Europe/Berlin', 'Europe/Berlin'], ['America/New_York', 'America/New_York']],
    bad: ['Mars/Base', 'Europe/Atlantis'],
  },
  'manual-gate': { read: (c) => c.policy.manualGate, good: [['true', true], ['false', false]], bad: ['maybe'] },
  'slack-channel': { read: (c) => c.slackChannel, good: [['#releases', '#releases'], ['C0123456789', 'C0123456789'], ['deploys', 'deploys']], bad: ['#Releases!', 'release channel'] },
  webhooks: {
    read: (c) => c.webhooks,
    good: [[`${hooks}, http://b.example.com`, [hooks, 'http://b.example.com']], [`${hooks},${hooks}`, [hooks]]],
    bad: ['ftp://files.example.com/drop', 'not a url', `${hooks},`, tooManyHooks],
  },
  'hook-pre-rollout': { read: (c) => c.hooks.urls['pre-rollout'], good: [[hooks, hooks]], bad: ['ftp://files.example.com/drop', 'not a url', 'javascript:alert(1)'] },
  'hook-rollout': { read: (c) => c.hooks.urls.rollout, good: [['http://lt.example.com/load?rate=5', 'http://lt.example.com/load?rate=5']], bad: ['lt:8080'] },
  'hook-confirm-promotion': { read: (c) => c.hooks.urls['confirm-promotion'], good: [[hooks, hooks]], bad: ['mailto:ops@example.com'] },
  'hook-post-rollout': { read: (c) => c.hooks.urls['post-rollout'], good: [[hooks, hooks]], bad: ['https://'] },
  'hook-rollback': { read: (c) => c.hooks.urls.rollback, good: [[hooks, hooks]], bad: ['//example.com/x'] },
  'hook-timeout': { read: (c) => c.hooks.timeoutMs, good: [['10s', 10_000], ['5m', 300_000]], bad: ['500ms', '6m', 'soon'] },
  'hook-failures': { read: (c) => c.policy.hooks?.rolloutFailureLimit, good: [['1', 1], ['5', 5]], bad: ['0', '1.5', '101'] },
  track: {
    read: (c) => c.track,
    good: [
      ['configmap/app-config,secret/app-tls', [{ kind: 'ConfigMap', name: 'app-config' }, { kind: 'Secret', name: 'app-tls' }]],
      ['ConfigMap/a.b', [{ kind: 'ConfigMap', name: 'a.b' }]],
      ['none', []],
    ],
    bad: ['deployment/app', 'configmap/App_Config', 'configmap', 'secret/a/b'],
  },
  router: { read: (c) => c.router, good: [['smi-v1alpha4', 'smi-v1alpha4'], ['smi-v1alpha1', 'smi-v1alpha1'], ['gateway-api', 'gateway-api']], bad: ['gateway', 'v1alpha2', 'GATEWAY-API'] },
  gateway: {
    read: (c) => c.route.gateway,
    with: { 'fledge.dev/router': 'gateway-api' },
    good: [
      ['public', { namespace: null, name: 'public', sectionName: null }],
      ['infra/public:https', { namespace: 'infra', name: 'public', sectionName: 'https' }],
    ],
    bad: ['infra/', 'a/b/c', 'Public', 'infra/public:', 'in_fra/public'],
  },
  hostnames: {
    read: (c) => c.route.hostnames,
    with: { 'fledge.dev/router': 'gateway-api', 'fledge.dev/gateway': 'public' },
    good: [['a.example.com, b.example.com', ['a.example.com', 'b.example.com']], ['*.example.com', ['*.example.com']]],
    bad: ['a.example.com,B_AD', 'http://a.example.com', Array.from({ length: 17 }, (_, i) => `h${i}.example.com`).join(',')],
  },
  match: {
    read: (c) => c.route.match,
    with: { 'fledge.dev/router': 'gateway-api' },
    good: [
      ['header:x-beta=1', [{ on: 'header', name: 'x-beta', value: '1', regex: false }]],
      ['header:user-agent~.*Firefox.*, cookie:group=b, query:beta=yes', [
        { on: 'header', name: 'user-agent', value: '.*Firefox.*', regex: true },
        { on: 'cookie', name: 'group', value: 'b', regex: false },
        { on: 'query', name: 'beta', value: 'yes', regex: false },
      ]],
    ],
    bad: ['x-beta=1', 'header:x-beta', 'header:=1', 'cookie:group~b', 'header:x-beta~(', 'path:/beta=1'],
  },
};

let catalog: Catalog;
before(async () => {
  catalog = await loadCatalog();
});

function parse(annotations: Record<string, string>) {
  return parseAnnotations({ 'fledge.dev/canary': 'true', ...annotations }, catalog);
}

test('every knob in the table has good and bad cases here', () => {
  assert.deepEqual(Object.keys(cases).sort(), [...knobNames].sort());
  for (const name of knobNames) {
    assert.ok(cases[name].good.length > 0 && cases[name].bad.length > 0, name);
  }
});

for (const name of knobNames) {
  const knob = cases[name];
  const key = `fledge.dev/${name}`;
  describe(key, () => {
    for (const [value, expected] of knob.good) {
      test(`reads ${JSON.stringify(value)} as ${JSON.stringify(expected)}`, () => {
        const result = parse({ ...knob.with, [key]: value });
        assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
        assert.deepEqual(knob.read(result.config), expected);
      });
    }
    for (const value of knob.bad) {
      test(`refuses ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)} with one message naming key, value and what is allowed`, () => {
        const result = parse({ ...knob.with, [key]: value });
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.issues.length, 1, result.issues.map((i) => i.message).join('\n'));
        const [issue] = result.issues;
        assert.equal(issue?.key, key);
        assert.ok(issue.message.startsWith(`${key}: "${issue.value}" is `), issue.message);
        assert.match(issue.message, /: allowed is ./);
        assert.ok(issue.message.endsWith(issue.detail));
        if (knobs[name].secret !== true) assert.equal(issue.value, value.trim());
      });
    }
    test('refuses an empty or blank value as empty', () => {
      for (const value of ['', '   ']) {
        const result = parse({ ...knob.with, [key]: value });
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.deepEqual(result.issues.map((i) => i.message), [`${key}: "" is empty: allowed is ${knobs[name].allowed}`]);
      }
    });
  });
}

test('the default when a knob is absent is what the README says', () => {
  const result = parse({});
  assert.ok(result.ok);
  const { config } = result;
  assert.equal(knobs.strategy.defaultText, config.strategy);
  assert.equal(knobs.analysis.defaultText, config.analysis.name);
  assert.equal(knobs.judge.defaultText, config.policy.judge.kind);
  assert.equal(knobs.router.defaultText, config.router);
  assert.equal(knobs['progress-deadline'].defaultText, '10m');
  assert.equal(config.policy.progressDeadlineMs, 600_000);
  assert.equal(config.latencyEdgeMs, 500);
  assert.equal(config.policy.judge.successRateMin, 99);
  assert.equal(config.policy.judge.maxFailedChecks, 5);
  assert.equal(config.policy.window, null);
  assert.equal(config.slackChannel, null);
  assert.deepEqual(config.webhooks, []);
  assert.equal(config.track, 'pod-template');
  assert.equal(config.policy.manualGate, false);
});

test('webhook URLs are redacted to scheme and host in messages, since their paths carry tokens', () => {
  const result = parse({ 'fledge.dev/webhooks': `${hooks},ftp://files.example.com/drop?token=abc` });
  assert.equal(result.ok, false);
  if (result.ok) return;
  const [issue] = result.issues;
  assert.equal(issue?.value, 'https://hooks.example.com/…,ftp://files.example.com/…');
  assert.doesNotMatch(JSON.stringify(result.issues), /secret-token|abc|T000/);
  assert.match(issue.message, /entry 2 is not one/);
});

test('a misspelt webhooks key is reported without the token in its URL', () => {
  const result = parse({ 'fledge.dev/webhook': hooks });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.issues.map((i) => i.value), ['https://hooks.example.com/…']);
  assert.match(result.issues[0]!.message, /did you mean fledge\.dev\/webhooks\?/);
  assert.doesNotMatch(result.issues[0]!.message, /secret-token/);
});
