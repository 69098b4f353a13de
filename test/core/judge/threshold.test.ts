import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyEvidence, judgeFor } from '../../../src/core/judge/index.ts';
import type { Evidence, IntervalMeasurement, JudgeContext, Verdict } from '../../../src/core/types.ts';
import { failing, judgePolicy, measured, noData, step, value } from './fixtures.ts';

const policy = judgePolicy({ kind: 'threshold', maxFailedChecks: 3 });
const judge = judgeFor(policy);

function run(intervals: readonly IntervalMeasurement[], context: JudgeContext = step()) {
  let evidence: Evidence = emptyEvidence(policy);
  const verdicts: Verdict[] = [];
  for (const interval of intervals) {
    const assessment = judge.assess(evidence, interval, context);
    evidence = assessment.evidence;
    verdicts.push(assessment.verdict);
  }
  return { evidence, verdicts, last: verdicts.at(-1)! };
}

const good = measured(value(1000, 1, 0, { successRate: 99.9, p99Ms: 120 }));
const lowSuccess = measured(value(1000, 25, 0, { successRate: 97.5, p99Ms: 120 }));
const slow = measured(value(1000, 1, 50, { successRate: 99.9, p99Ms: 620 }));

void describe('threshold judge (Flagger rule, no data is not a failure)', () => {
  void it('starts with counts only and no e-process state', () => {
    const evidence = emptyEvidence(policy);
    assert.deepEqual(evidence.metrics.map((m) => [m.name, m.harm, m.safe, m.logLr]), [['errors', 1, 1, {}], ['latency', 1, 1, {}]]);
    assert.equal(evidence.failedChecks, 0);
  });

  void it('passes an interval within the SLO and calls it safe', () => {
    const { last, evidence } = run([good]);
    assert.deepEqual(last, { kind: 'continue', safe: true, reason: 'checks passed (success rate 99.9%, at least 99%; p99 120 ms, within 500 ms)' });
    assert.equal(evidence.metrics[0]!.canaryRequests, 1000);
    assert.equal(evidence.metrics[0]!.primaryRequests, 900);
  });

  void it('counts a success rate below the minimum as a failed check and goes on', () => {
    const { last, evidence } = run([lowSuccess]);
    assert.deepEqual(last, { kind: 'continue', safe: false, reason: 'check failed (success rate 97.5%, below the 99% minimum): 1 of 3 allowed failed checks' });
    assert.equal(evidence.failedChecks, 1);
  });

  void it('counts a p99 above the maximum as a failed check', () => {
    const { last } = run([slow]);
    assert.equal(last.reason, 'check failed (p99 620 ms, above the 500 ms limit): 1 of 3 allowed failed checks');
  });

  void it('rolls back at max-failed-checks, counting failed checks over the run, not in a row', () => {
    const { verdicts, evidence } = run([lowSuccess, good, slow, good, lowSuccess]);
    assert.deepEqual(verdicts.map((v) => v.kind), ['continue', 'continue', 'continue', 'continue', 'rollback']);
    assert.equal(evidence.failedChecks, 3);
    assert.equal(verdicts[4]!.reason, 'the canary failed 3 of 3 allowed failed checks on 5,000 requests over 5 minutes (the last: success rate 97.5%, below the 99% minimum)');
  });

  void it('computes the success rate from the counts when Prometheus gave no display value', () => {
    assert.match(run([measured(value(1000, 20))]).last.reason, /success rate 98%, below the 99% minimum/);
    assert.match(run([measured(value(1000, 20, 0, { successRate: Number.NaN }))]).last.reason, /success rate 98%, below the 99% minimum/);
  });

  void it('skips the latency check when p99 is unknown', () => {
    assert.equal(run([measured(value(1000, 0))]).last.reason, 'checks passed (success rate 100%, at least 99%; p99 unknown, not checked)');
    assert.equal(run([measured(value(1000, 0, 0, { p99Ms: Number.NaN }))]).last.kind, 'continue');
  });

  void it('never counts no data or a Prometheus error as a failed check', () => {
    const { verdicts, evidence } = run([measured(noData), measured(failing('timeout')), measured(value(0)), measured(noData)]);
    assert.equal(evidence.failedChecks, 0);
    assert.deepEqual(verdicts.map((v) => (v.kind === 'pause' ? v.cause : v.kind)), ['continue', 'metrics-unavailable', 'continue', 'no-data']);
    assert.ok(verdicts.every((v) => v.kind !== 'continue' || !v.safe));
  });

  void it('pauses on a Prometheus error on the primary side too, leaving the evidence as it was', () => {
    const before = run([lowSuccess]).evidence;
    const { evidence, verdict } = judge.assess(before, measured(value(1000, 1), failing('bad gateway')), step());
    assert.equal(verdict.kind, 'pause');
    assert.deepEqual(evidence, before);
  });

  void it('rolls back a catastrophic canary at once, whatever the failed-check count', () => {
    const { last, evidence } = run([measured(value(200, 60, 0, { successRate: 70 }))]);
    assert.deepEqual(last, { kind: 'rollback', reason: 'the canary failed 30% of 200 requests in a single interval, past the 20% guardrail: rolled back at once, without waiting for more evidence' });
    assert.equal(evidence.failedChecks, 0);
  });

  void it('treats a canary at weight 0 without data as nothing to judge', () => {
    const { last, evidence } = run([measured(noData)], step(0));
    assert.equal(last.kind, 'continue');
    assert.equal(evidence.noDataStreak, 0);
  });
});
