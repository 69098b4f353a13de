import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyEvidence, judgeFor } from '../../../src/core/judge/index.ts';
import type { Evidence, IntervalMeasurement, JudgeContext, JudgePolicy, Verdict } from '../../../src/core/types.ts';
import { failing, judgePolicy, measured, noData, step, value } from './fixtures.ts';

const policy = judgePolicy();

function run(intervals: readonly IntervalMeasurement[], options: { policy?: JudgePolicy; context?: JudgeContext; start?: Evidence } = {}) {
  const judgePolicyUsed = options.policy ?? policy;
  const judge = judgeFor(judgePolicyUsed);
  let evidence = options.start ?? emptyEvidence(judgePolicyUsed);
  const verdicts: Verdict[] = [];
  for (const interval of intervals) {
    const assessment = judge.assess(evidence, interval, options.context ?? step());
    evidence = assessment.evidence;
    verdicts.push(assessment.verdict);
  }
  return { evidence, verdicts, last: verdicts.at(-1)! };
}

function metric(evidence: Evidence, name: string) {
  const found = evidence.metrics.find((m) => m.name === name);
  assert.ok(found, `no evidence for ${name}`);
  return found;
}

void describe('sequential judge', () => {
  void it('starts a run with no counts and every e-value at 1', () => {
    const evidence = emptyEvidence(policy);
    assert.deepEqual(evidence.metrics.map((m) => [m.name, m.harm, m.safe, m.ratio]), [['errors', 1, 1, null], ['latency', 1, 1, null]]);
    assert.deepEqual(metric(evidence, 'errors').logLr, { rel: Array(9).fill(0), slo: Array(6).fill(0), safeRel: [0, 0, 0], safeAbs: [0, 0, 0] });
    assert.deepEqual(JSON.parse(JSON.stringify(evidence)), evidence);
  });

  void it('rolls back at once on five canary failures when the primary has none of its 900 requests failing', () => {
    // s = 100/1000 = 0.1, x_c = 5, x_p = 0: E_rel = mean_r exp(5·ln(q_r/0.1)) = 14339.02;
    // E_slo (p0 = 1%, n_c = 100, x_c = 5) = mean_k exp(5·ln(p1/p0) + 95·ln((1−p1)/(1−p0))) = 20.944;
    // E_harm = (14339.02 + 20.944)/2 = 7179.98 ≥ M/α = 2/0.05 = 40.
    const { evidence, last } = run([measured(value(100, 5), value(900, 0))]);
    const errors = metric(evidence, 'errors');
    assert.ok(Math.abs(errors.harm - 7179.98) < 0.01, `harm ${errors.harm}`);
    assert.equal(last.kind, 'rollback');
    assert.equal(last.reason, "the canary failed 5% of 100 requests against the primary's 0% of 900 over 1 minute; the SLO allows 1%");
  });

  void it('rolls back when the canary fails about ten times as often as the primary, naming the ratio', () => {
    const { last, evidence } = run([measured(value(1000, 20), value(9000, 18))]);
    assert.equal(last.kind, 'rollback');
    assert.equal(metric(evidence, 'errors').ratio, 10); // 2% ÷ 0.2%
    assert.equal(last.reason, "the canary failed 2% of 1,000 requests against the primary's 0.2% (about 10×) over 1 minute; the SLO allows 1%");
  });

  void it('keeps going without harm evidence when both versions fail alike, and says how far from the bound it is', () => {
    const { last, evidence } = run([measured(value(1000, 5, 2), value(9000, 45, 18)), measured(value(1000, 4, 1), value(9000, 47, 20))]);
    assert.equal(last.kind, 'continue');
    assert.match(last.reason, /^no sign of harm yet: evidence errors \d+%, latency \d+% of the way to a rollback$/);
    assert.ok(metric(evidence, 'errors').harm < 1);
    assert.equal(evidence.intervals, 2);
    assert.equal(metric(evidence, 'errors').canaryRequests, 2000);
    assert.equal(metric(evidence, 'errors').primaryEvents, 92);
    assert.equal(metric(evidence, 'latency').canaryEvents, 3);
  });

  void it('names the metric when another one counts the same event (any metric name, e.g. from a template)', () => {
    const twoFailureMetrics = judgePolicy({ metrics: [{ name: 'errors', event: 'failures', sloRate: 0.01, rMax: 2 }, { name: 'checkout-5xx', event: 'failures', sloRate: 0.01, rMax: 2 }] });
    const { last } = run([measured(value(1000, 20), value(9000, 18))], { policy: twoFailureMetrics });
    assert.equal(last.kind, 'rollback');
    assert.match(last.reason, /^errors: the canary failed 2% .*; and checkout-5xx: the canary failed 2% /);
  });

  void it('rolls back a canary that breaks the SLO alone even when the primary has no data', () => {
    const { last, evidence } = run([measured(value(1000, 50), noData)]);
    assert.equal(last.kind, 'rollback');
    assert.deepEqual(metric(evidence, 'errors').logLr['rel'], Array(9).fill(0)); // no primary: the relative test learns nothing
    assert.ok(metric(evidence, 'errors').logLr['slo']![3]! > 0); // k = 5: 50·ln 5 + 950·ln(0.95/0.99) ≈ 80.47 − 39.18 = 41.3
    assert.equal(last.reason, 'the canary failed 5% of 1,000 requests over 1 minute (the primary had no requests to compare); the SLO allows 1%');
  });

  void it('never resets the harm evidence within a run: small signals add up', () => {
    const quiet = measured(value(100, 1), value(900, 1));
    const once = run([quiet]);
    const many = run(Array(8).fill(quiet));
    assert.equal(once.last.kind, 'continue');
    assert.equal(many.last.kind, 'rollback');
    assert.ok(metric(many.evidence, 'errors').harm > metric(once.evidence, 'errors').harm);
  });

  void it('learns nothing relative from an interval without events', () => {
    const { evidence } = run([measured(value(100, 0), value(900, 0))]);
    assert.deepEqual(metric(evidence, 'errors').logLr['rel'], Array(9).fill(0));
    assert.equal(metric(evidence, 'errors').ratio, null);
  });
});

void describe('sequential judge guardrails', () => {
  const cases: Array<{ name: string; intervals: IntervalMeasurement[]; context?: JudgeContext; kind: Verdict['kind']; cause?: string; reason: RegExp | string }> = [
    {
      name: 'a Prometheus error on the canary pauses instead of failing a check',
      intervals: [measured(failing('timeout after 10s'))],
      kind: 'pause', cause: 'metrics-unavailable',
      reason: 'paused: Prometheus did not answer (timeout after 10s); nothing moves on missing information',
    },
    {
      name: 'a Prometheus error on the primary pauses too',
      intervals: [measured(value(100, 50), failing('503 Service Unavailable'))],
      kind: 'pause', cause: 'metrics-unavailable', reason: /^paused: Prometheus did not answer \(503 Service Unavailable\)/,
    },
    {
      name: 'errors on both sides name each message once',
      intervals: [measured(failing('down'), failing('down'))],
      kind: 'pause', cause: 'metrics-unavailable', reason: 'paused: Prometheus did not answer (down); nothing moves on missing information',
    },
    {
      name: 'a canary failing 25% of 100 requests in one interval is rolled back at once',
      intervals: [measured(value(100, 25), value(900, 2))],
      kind: 'rollback', reason: 'the canary failed 25% of 100 requests in a single interval, past the 20% guardrail: rolled back at once, without waiting for more evidence',
    },
    {
      name: 'canary and primary both failing every request is a shared incident: paused, not rolled back',
      intervals: [measured(value(100, 100), value(900, 900))],
      kind: 'pause', cause: 'shared-incident', reason: "paused: the canary failed 100% of 100 requests and the primary 100% of 900 in the same interval (a shared incident, not the canary's doing)",
    },
    {
      name: 'a canary failing 19 of 19 requests is below the catastrophe floor of 20 requests',
      intervals: [measured(value(19, 19), value(900, 900))],
      kind: 'pause', cause: 'shared-incident', reason: /^the primary breaks the SLO too/,
    },
    {
      name: 'one interval without canary data continues, but not as safe',
      intervals: [measured(noData)],
      kind: 'continue', reason: 'the canary received no requests this interval (1 of 3 such intervals pause the release)',
    },
    {
      name: 'three intervals without canary data pause',
      intervals: [measured(noData), measured(value(0)), measured(noData)],
      kind: 'pause', cause: 'no-data', reason: 'paused: the canary received no requests in the last 3 intervals',
    },
    {
      name: 'a canary at weight 0 without data is not "no data"',
      intervals: [measured(noData), measured(noData), measured(noData)], context: step(0),
      kind: 'continue', reason: /weight 0: nothing to judge/,
    },
    {
      name: 'the primary breaking the SLO too pauses as a shared incident',
      intervals: [measured(value(100, 5), value(1000, 52))],
      kind: 'pause', cause: 'shared-incident', reason: "the primary breaks the SLO too (errors 5.2% > 1%): a shared incident, not the canary's doing; paused until it passes",
    },
    {
      name: 'a canary much worse than a primary in trouble is still rolled back',
      intervals: [measured(value(100, 19), value(1000, 20))],
      kind: 'rollback', reason: /^the canary failed 19% of 100 requests against the primary's 2% \(about 9.5×\) over 1 minute/,
    },
    {
      name: 'a primary a little over the SLO by chance (2 failures in 100) is no shared incident',
      intervals: [measured(value(100, 0), value(100, 2))],
      kind: 'continue', reason: /^no sign of harm yet/,
    },
    {
      name: 'a primary breaking the SLO on fewer than 20 requests is no shared incident',
      intervals: [measured(value(100, 0), value(19, 2))],
      kind: 'continue', reason: /^no sign of harm yet/,
    },
  ];

  for (const { name, intervals, context, kind, cause, reason } of cases) {
    void it(name, () => {
      const { last } = run(intervals, context === undefined ? {} : { context });
      assert.equal(last.kind, kind);
      if (cause !== undefined) assert.equal(last.kind === 'pause' && last.cause, cause);
      if (typeof reason === 'string') assert.equal(last.reason, reason);
      else assert.match(last.reason, reason);
    });
  }

  void it('leaves the evidence untouched on a Prometheus error and never lets the step advance', () => {
    const before = run([measured(value(1000, 0), value(9000, 90))]).evidence;
    const judge = judgeFor(judgePolicy({ beta: 1 })); // any safe evidence would do
    for (let i = 0; i < 50; i += 1) {
      const { evidence, verdict } = judge.assess(before, measured(failing('connection refused')), step());
      assert.deepEqual(evidence, before);
      assert.equal(verdict.kind, 'pause');
    }
  });

  void it('resets the no-data streak when data comes back', () => {
    const { evidence, last } = run([measured(noData), measured(noData), measured(value(100)), measured(noData)]);
    assert.equal(evidence.noDataStreak, 1);
    assert.equal(last.kind, 'continue');
  });

  void it('keeps the no-data streak unchanged at weight 0 and counts the interval', () => {
    const { evidence, last } = run([measured(noData)], { context: step(0) });
    assert.equal(evidence.noDataStreak, 0);
    assert.equal(evidence.intervals, 1);
    assert.deepEqual(last.kind === 'continue' && last.safe, true);
  });

  void it('does not update the absolute harm test during a shared incident, but the relative one still learns', () => {
    const { evidence } = run([measured(value(100, 5), value(1000, 52))]);
    const errors = metric(evidence, 'errors');
    assert.deepEqual(errors.logLr['slo'], Array(6).fill(0));
    assert.ok(errors.logLr['rel']!.some((sum) => sum !== 0));
  });

  void it('keeps a primary blip too small to pause for out of the SLO test too', () => {
    const { evidence, verdicts } = run([measured(value(100, 3), value(100, 2))]);
    assert.equal(verdicts[0]?.kind, 'continue');
    assert.deepEqual(metric(evidence, 'errors').logLr['slo'], Array(6).fill(0));
  });
});
