import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatus, type CanaryObject } from '../../src/adapters/kube/canary-resource.ts';
import { analysisLines } from '../../src/cli/status-analysis.ts';

function canary(status: Record<string, unknown>): CanaryObject {
  const parsed = parseStatus(status);
  assert.ok(parsed !== null);
  return { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'checkout', namespace: 'shop' }, spec: {}, status: parsed };
}

const metric = (name: string, harm: number, canaryEvents: number, primaryEvents: number) => ({
  name, canaryRequests: 200, canaryEvents, primaryRequests: 1800, primaryEvents, ratio: null, harm, safe: 1, logLr: {},
});

describe('fledge status NAME: the analysis lines', () => {
  it('name the pinned template and generation, every judged metric (extra ones included) and the broken checks', () => {
    const lines = analysisLines(canary({
      analysis: { source: { kind: 'AnalysisTemplate', namespace: 'shop', name: 'spring', generation: 3 }, digest: 'abc', run: 'r1@1', spec: {} },
      evidence: { intervals: 4, noDataStreak: 0, failedChecks: 0, metrics: [metric('errors', 1.2, 1, 9), metric('latency', 0.8, 0, 20), metric('checkout-failures', 41.5, 12, 9)], checkStreaks: { memory: 2 } },
    }));
    assert.deepEqual(lines, [
      'analysis: AnalysisTemplate shop/spring (generation 3), pinned for this run',
      'evidence: errors harm 1.2 (1/200 vs 9/1800), latency harm 0.8 (0/200 vs 20/1800), checkout-failures harm 41.5 (12/200 vs 9/1800); checks broken: memory 2 in a row',
    ]);
  });
  it('prints nothing before the first reconcile resolved a template', () => {
    assert.deepEqual(analysisLines(canary({})), []);
  });
});
