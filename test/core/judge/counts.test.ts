import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeCounts, ratioOf } from '../../../src/core/judge/counts.ts';
import { emptyEvidence, judgeFor } from '../../../src/core/judge/index.ts';
import type { Evidence } from '../../../src/core/types.ts';
import { counts, judgePolicy, measured, step, value } from './fixtures.ts';

void describe('counts the judges accept', () => {
  const cases: Array<[string, ReturnType<typeof counts>, { requests: number; failures: number; slow: number }]> = [
    ['rounds Prometheus-extrapolated counts to whole requests', counts(99.6, 2.4, 0.5), { requests: 100, failures: 2, slow: 1 }],
    ['treats negative counts (counter resets) as zero', counts(-3, -1, -0.2), { requests: 0, failures: 0, slow: 0 }],
    ['never counts more events than requests', counts(10, 12.2, 11), { requests: 10, failures: 10, slow: 10 }],
    ['treats NaN and infinite counts as zero', counts(Number.NaN, Infinity, Number.NaN), { requests: 0, failures: 0, slow: 0 }],
  ];
  for (const [name, raw, expected] of cases) {
    void it(name, () => {
      const normal = normalizeCounts(raw);
      assert.deepEqual({ requests: normal.requests, failures: normal.events.failures, slow: normal.events.slow }, expected);
    });
  }

  void it('keeps the display values for people and the threshold judge', () => {
    assert.deepEqual(normalizeCounts(counts(10, 0, 0, { successRate: 100, p99Ms: 12 })), counts(10, 0, 0, { successRate: 100, p99Ms: 12 }));
  });

  void it('estimates the ratio of rates only when both are defined and the primary rate is not zero', () => {
    const base = { canaryRequests: 100, canaryEvents: 2, primaryRequests: 900, primaryEvents: 9 };
    assert.equal(ratioOf(base), 2);
    assert.equal(ratioOf({ ...base, canaryEvents: 0 }), 0);
    assert.equal(ratioOf({ ...base, primaryEvents: 0 }), null);
    assert.equal(ratioOf({ ...base, primaryRequests: 0, primaryEvents: 0 }), null);
    assert.equal(ratioOf({ ...base, canaryRequests: 0, canaryEvents: 0 }), null);
  });

  void it('judges fractional counts as their rounded values', () => {
    const policy = judgePolicy();
    const judge = judgeFor(policy);
    const fractional = judge.assess(emptyEvidence(policy), measured(value(99.6, 0.7), value(900.2, 9.4)), step());
    const whole = judge.assess(emptyEvidence(policy), measured(value(100, 1), value(900, 9)), step());
    assert.deepEqual(fractional.evidence, whole.evidence);
  });

  void it('follows the policy when restored evidence lacks a metric or holds one the policy dropped', () => {
    const policy = judgePolicy();
    const judge = judgeFor(policy);
    const full = judge.assess(emptyEvidence(policy), measured(value(100, 1, 1), value(900, 9, 9)), step()).evidence;
    const restored: Evidence = { ...full, metrics: [{ ...full.metrics[1]!, logLr: {} }, { ...full.metrics[0]!, name: 'dropped' }] };
    const next = judge.assess(restored, measured(value(100, 1, 1), value(900, 9, 9)), step()).evidence;
    assert.deepEqual(next.metrics.map((m) => [m.name, m.canaryRequests]), [['errors', 100], ['latency', 200]]);
    assert.deepEqual(next.metrics.map((m) => m.logLr['rel']?.length), [9, 9]);
  });
});

void describe('choosing a judge', () => {
  void it('refuses a judge kind it does not know instead of falling back', () => {
    const policy = { ...judgePolicy(), kind: 'magic' } as unknown as ReturnType<typeof judgePolicy>;
    assert.throws(() => judgeFor(policy), { code: 'FLEDGE_CONFIG_INVALID', message: 'unknown judge "magic": expected one of sequential, threshold' });
    assert.throws(() => emptyEvidence(policy), { code: 'FLEDGE_CONFIG_INVALID' });
    assert.throws(() => judgeFor({ ...policy, kind: 'toString' } as unknown as ReturnType<typeof judgePolicy>), { code: 'FLEDGE_CONFIG_INVALID' });
  });
});
