import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment } from '@kubernetes/client-node';
import { targetIssues } from '../../src/config/target-checks.ts';

function deployment(name: string, matchLabels: Record<string, string> = { app: 'x' }): V1Deployment {
  return { metadata: { name }, spec: { selector: { matchLabels }, template: { metadata: { labels: matchLabels } } } };
}

test('an app name of 55 characters fits its -primary and -canary Services; 56 does not', () => {
  assert.deepEqual(targetIssues(deployment('a'.repeat(55))), []);
  assert.equal(targetIssues(deployment('a'.repeat(56))).length, 1);
});

test('a selector label value of 55 characters fits with -primary appended; 56 does not, and the message names the key', () => {
  assert.deepEqual(targetIssues(deployment('app', { app: 'v'.repeat(55) })), []);
  const [issue] = targetIssues(deployment('app', { tier: 'v'.repeat(56) }));
  assert.match(issue ?? '', /^spec.selector.matchLabels\["tier"\] is 56 characters: .* allowed are values of at most 55 characters$/);
});

test('a selector without matchLabels, or with matchExpressions, cannot be given to the primary', () => {
  assert.match(targetIssues({ metadata: { name: 'a' }, spec: { selector: {}, template: {} } })[0] ?? '', /no matchLabels/);
  const expressions = { metadata: { name: 'a' }, spec: { selector: { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, template: {} } };
  assert.match(targetIssues(expressions)[0] ?? '', /matchExpressions/);
});

test('a tracked ConfigMap whose -primary copy would pass 253 characters is named', () => {
  const [issue] = targetIssues(deployment('app'), [{ kind: 'ConfigMap', name: 'c'.repeat(246) }]);
  assert.match(issue ?? '', /^ConfigMap c+: its primary copy c+-primary would pass the 253-character limit of a name$/);
  assert.deepEqual(targetIssues(deployment('app'), [{ kind: 'Secret', name: 's'.repeat(245) }]), []);
});
