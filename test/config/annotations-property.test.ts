// Random annotation sets, careless and hostile: the parser never throws, every value refused on
// its own and every unknown fledge.dev/ key yields an issue naming that key, secrets in
// webhook paths never reach a message, and annotations outside fledge.dev/ change nothing.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAnnotations, type ParseResult } from '../../src/config/annotations.ts';
import { loadCatalog, type Catalog } from '../../src/config/catalog.ts';
import { annotationPrefix, knobNames, knobs, reservedKeys, type KnobName } from '../../src/config/knobs.ts';

/** Values each knob accepts, so random sets often parse and cross-field rules get exercised. */
const goodValues: Record<KnobName, readonly string[]> = {
  canary: ['true', 'false'],
  strategy: ['canary', 'progressive', 'blue-green', 'manual', 'exponential'],
  steps: ['5,10,25,50', '10,50', '0', '50,100'],
  interval: ['5s', '30s', '1m', '2m'],
  bake: ['30s', '2m', '10m'],
  promotion: ['schedule', 'evidence'],
  analysis: ['linkerd', 'istio', 'generic'],
  'success-rate-min': ['99', '99.5', '95%'],
  'pause-limit': ['1m', '30m', '2h'],
  'on-no-data': ['rollback', 'pause'],
  'gate-timeout': ['10m', '4h'],
  'latency-p99-max': ['500', '1s', '250ms'],
  judge: ['sequential', 'threshold'],
  'max-failed-checks': ['1', '5', '1000'],
  alpha: ['0.05', '0.01', '0.5'],
  beta: ['0.05', '0.1'],
  'progress-deadline': ['10m', '1m', '1h'],
  window: ['* 9-16 * * 1-5', '*/5 * * * *'],
  'window-timezone': ['UTC', 'Europe/Berlin'],
  'manual-gate': ['true', 'false'],
  'slack-channel': ['#releases', 'C0123456789'],
  webhooks: ['https://hooks.example.com/a', 'https://a.example.com/x,https://b.example.com/y'],
  track: ['none', 'configmap/app-config', 'configmap/a,secret/b'],
  router: ['smi-v1alpha2', 'smi-v1alpha1', 'gateway-api'],
  gateway: ['public', 'infra/public:https'],
  hostnames: ['a.example.com', 'a.example.com,b.example.com'],
  match: ['header:x-beta=1', 'cookie:group=b,query:beta=yes'],
  'hook-pre-rollout': ['https://hooks.example.com/pre?token=abc'],
  'hook-rollout': ['http://loadtester.test/load?rate=20'],
  'hook-confirm-promotion': ['https://hooks.example.com/confirm'],
  'hook-post-rollout': ['https://hooks.example.com/post'],
  'hook-rollback': ['https://hooks.example.com/rollback'],
  'hook-timeout': ['1s', '30s', '5m'],
  'hook-failures': ['1', '3', '100'],
};

const hostile = fc.constantFrom('', ' ', '\t', '0', '-1', '1e309', 'NaN', 'Infinity', '__proto__', 'constructor', 'true ', ' TRUE', '1,2,3,4,5,6,7,8,9,10,11', '💥', '\u0000', 'a'.repeat(5000), '${x}', '{{x}}', '"', '\\');
const value = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 30 }), hostile);

const knownKey = fc.constantFrom(...knobNames).map((name) => `${annotationPrefix}${name}`);
/** Typos and made-up names under the prefix, and the object-prototype names. */
const unknownKey = fc.oneof(
  fc.constantFrom(...knobNames).chain((name) => fc.nat({ max: name.length - 1 }).map((i) => `${annotationPrefix}${name.slice(0, i)}${name.slice(i + 1)}`)),
  fc.string({ minLength: 1, maxLength: 20 }).map((name) => `${annotationPrefix}${name}`),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Canary', 'canary ', '').map((name) => `${annotationPrefix}${name}`),
);
const foreignKey = fc.oneof(fc.string(), fc.constantFrom('kubectl.kubernetes.io/last-applied-configuration', 'fledge.dev', 'fledge.dev.x/canary', 'FLEDGE.DEV/canary', 'deployment.kubernetes.io/revision'));

const entry = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...knobNames).chain((name) => fc.tuple(fc.constant(`${annotationPrefix}${name}`), fc.constantFrom(...goodValues[name]))) },
  { weight: 3, arbitrary: fc.tuple(knownKey, value) },
  { weight: 1, arbitrary: fc.tuple(unknownKey, value) },
  { weight: 1, arbitrary: fc.tuple(foreignKey, value) },
);
/** Built with defineProperty so keys such as __proto__ become real own keys, as JSON gives them. */
const annotations = fc.array(entry, { maxLength: 14 }).map((entries) => {
  const result: Record<string, string> = {};
  for (const [key, text] of entries) Object.defineProperty(result, key, { value: text, enumerable: true, writable: true, configurable: true });
  return result;
});

function isKnobName(name: string): name is KnobName {
  return Object.hasOwn(knobs, name);
}

/** Keys whose value a knob refuses on its own, and unknown keys under the prefix. */
function refusedKeys(input: Record<string, string>): string[] {
  return Object.keys(input).filter((key) => {
    if (!key.startsWith(annotationPrefix)) return false;
    const name = key.slice(annotationPrefix.length);
    if (reservedKeys.includes(name)) return false;
    if (!isKnobName(name)) return true;
    const text = String(input[key]).trim();
    return text === '' || !knobs[name].schema.safeParse(text).success;
  });
}

function parse(input: Record<string, string>, catalog: Catalog): ParseResult {
  try {
    return parseAnnotations(input, catalog);
  } catch (error) {
    assert.fail(`parseAnnotations threw for ${JSON.stringify(input)}: ${String(error)}`);
  }
}

describe('parseAnnotations on random annotation sets', () => {
  let catalog: Catalog;
  before(async () => {
    catalog = await loadCatalog();
  });
  const runs = { numRuns: 1500, seed: 20261121 };

  test('never throws, and every refused value or unknown fledge.dev/ key yields an issue naming that key', () => {
    fc.assert(fc.property(annotations, (input) => {
      const result = parse(input, catalog);
      const refused = refusedKeys(input);
      if (result.ok) {
        assert.deepEqual(refused, [], 'a config with refused keys parsed ok');
        return;
      }
      assert.ok(result.issues.length > 0);
      const named = new Set(result.issues.map((issue) => issue.key));
      for (const key of refused) assert.ok(named.has(key), `no issue names ${JSON.stringify(key)}: ${result.issues.map((i) => i.message).join('; ')}`);
      for (const issue of result.issues) {
        assert.ok(issue.key.startsWith(annotationPrefix), `issue key ${issue.key}`);
        assert.ok(issue.message.includes(issue.key), `the message names the key: ${issue.message}`);
        assert.ok(issue.detail.includes('allowed is'), `the message says what is allowed: ${issue.message}`);
      }
    }), runs);
  });

  test('annotations outside fledge.dev/ never change the outcome', () => {
    fc.assert(fc.property(annotations, fc.dictionary(foreignKey.filter((k) => !k.startsWith(annotationPrefix)), value, { maxKeys: 5 }), (input, foreign) => {
      const alone = parse(input, catalog);
      const mixed = parse({ ...foreign, ...input }, catalog);
      assert.deepEqual(mixed, alone);
    }), { ...runs, numRuns: 400 });
  });

  test('a token in a webhook path never appears in an issue, however the webhooks value is broken', () => {
    const token = 'tok3n-Secr3t';
    const webhookValue = fc.oneof(
      fc.constant(`https://hooks.example.com/services/${token}`),
      fc.string().map((junk) => `https://hooks.example.com/${token}${junk}`),
      fc.string().map((junk) => `${junk}https://h.example.com/${token},ftp://x/${token}`),
      fc.constant(Array.from({ length: 12 }, (_, i) => `https://h${i}.example.com/${token}`).join(',')),
      fc.string().map((junk) => `notaurl/${token}${junk}`),
    );
    const keyFor = fc.constantFrom(`${annotationPrefix}webhooks`, `${annotationPrefix}webhook`, `${annotationPrefix}web-hooks`);
    fc.assert(fc.property(annotations, keyFor, webhookValue, (input, key, text) => {
      const result = parse({ ...input, [key]: text }, catalog);
      if (result.ok) return;
      for (const issue of result.issues) assert.ok(!issue.message.includes(token), `a secret leaked: ${issue.message}`);
    }), { ...runs, numRuns: 600 });
  });

  test('a Slack webhook URL pasted into another knob is shown redacted too', () => {
    const token = 'tok3n-Secr3t';
    const keys = fc.constantFrom(...knobNames.filter((name) => knobs[name].secret !== true)).map((name) => `${annotationPrefix}${name}`);
    fc.assert(fc.property(keys, (key) => {
      const result = parse({ [`${annotationPrefix}canary`]: 'true', [key]: `https://hooks.slack.com/services/T0/B0/${token}` }, catalog);
      if (result.ok) return;
      for (const issue of result.issues) assert.ok(!issue.message.includes(token), `a secret leaked: ${issue.message}`);
    }), { numRuns: 100, seed: 1 });
  });
});
