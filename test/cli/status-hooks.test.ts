import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatus, type CanaryObject } from '../../src/adapters/kube/canary-resource.ts';
import { hookLines } from '../../src/cli/status-hooks.ts';

function canary(urls: Record<string, string> | null, hooks: Record<string, unknown> = {}): CanaryObject {
  const status = parseStatus({ phase: 'Paused', pausedBy: 'confirmation', hooks });
  assert.ok(status !== null);
  return { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'app', namespace: 'default' }, spec: urls === null ? {} : { hooks: { urls } }, status };
}

describe('fledge status NAME: the hooks line', () => {
  it('says where the run stands with each hook it names, and the last failure', () => {
    const lines = hookLines(canary(
      { 'pre-rollout': 'https://h.example.com/…', rollout: 'http://lt/…', 'confirm-promotion': 'https://h.example.com/…', rollback: 'https://h.example.com/…' },
      { preRolloutPassed: true, confirmPolls: 2, rolloutFailures: 1, lastFailure: 'confirm-promotion hook answered HTTP 409: freeze' },
    ));
    assert.deepEqual(lines, ['hooks: pre-rollout passed, rollout 1 failure(s) in a row, confirm-promotion not confirmed (2 poll(s) refused), rollback; last failure: confirm-promotion hook answered HTTP 409: freeze']);
  });
  it('prints nothing for a Canary without hooks', () => {
    assert.deepEqual(hookLines(canary(null)), []);
    assert.deepEqual(hookLines(canary({})), []);
  });
});
