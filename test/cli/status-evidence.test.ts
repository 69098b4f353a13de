import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatus, toStatus, type CanaryObject, type CanaryStatus } from '../../src/adapters/kube/canary-resource.ts';
import { evidenceLines } from '../../src/cli/status-evidence.ts';
import { initialState } from '../../src/core/transitions.ts';

function canary(status: CanaryStatus | undefined): CanaryObject {
  return { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'app', namespace: 'shop' }, spec: {}, ...(status === undefined ? {} : { status }) };
}

void describe('fledge status NAME: the evidence lines', () => {
  void it('shows each metric\'s counts and how far the evidence has come towards a rollback, in plain words', () => {
    const metric = { name: 'errors', canaryRequests: 1204, canaryEvents: 45, primaryRequests: 9800, primaryEvents: 33, ratio: 11, harm: Math.sqrt(40), safe: 1, logLr: { rel: [1.8] } };
    const status = toStatus({ ...initialState(), phase: 'Progressing', evidence: { metrics: [metric], intervals: 4, noDataStreak: 0, failedChecks: 0, measuredMs: 240_000, rollbackAt: 40 } }, { observedGeneration: 1, conditions: [] });
    const lines = evidenceLines(canary(parseStatus(JSON.parse(JSON.stringify(status)))!));
    assert.deepEqual(lines, ['evidence errors: canary 3.74% of 1,204, primary 0.34% of 9,800 (about 11×); evidence 50% of the way to a rollback']);
    assert.ok(!lines.join('\n').includes('1.8'), 'no raw sums');
  });

  void it('shows nothing before a run has evidence', () => {
    assert.deepEqual(evidenceLines(canary(undefined)), []);
    assert.deepEqual(evidenceLines(canary(parseStatus({})!)), []);
  });
});
