// A template's extra count metrics join the judged family (M grows, so the rollback bound M/α
// does too) and its gauge checks guard the canary, in both judges.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventsOf, normalizeCounts, requestsOf } from '../../../src/core/judge/counts.ts';
import { gaugeChecks } from '../../../src/core/judge/gauge-checks.ts';
import { emptyEvidence, judgeFor } from '../../../src/core/judge/index.ts';
import { harmBound } from '../../../src/core/judge/sequential-verdict.ts';
import type { Counts, Evidence, JudgePolicy, MetricPolicy, Sample, Verdict } from '../../../src/core/types.ts';
import { judgePolicy, measured, step } from './fixtures.ts';

const extraMetric: MetricPolicy = { name: 'deadline', event: 'extra', sloRate: 1, rMax: 2 };

function withExtra(requests: number, deadline: number, gauges?: Record<string, number | null>): Sample {
  const counts: Counts = { requests, events: { failures: 0, slow: 0 }, extra: { deadline: { events: deadline } }, ...(gauges === undefined ? {} : { gauges }) };
  return { kind: 'value', counts };
}

function run(policy: JudgePolicy, looks: ReadonlyArray<{ canary: Sample; primary: Sample }>): Verdict[] {
  const judge = judgeFor(policy);
  let evidence: Evidence = emptyEvidence(policy);
  return looks.map((look, index) => {
    const assessed = judge.assess(evidence, measured(look.canary, look.primary), step(20, index === 0));
    evidence = assessed.evidence;
    return assessed.verdict;
  });
}

describe('extra count metrics', () => {
  it('read their own events and requests, clamped like the built-in counts', () => {
    const counts = normalizeCounts({ requests: 100.4, events: { failures: 1, slow: 0 }, extra: { deadline: { events: 250, requests: 200.2 }, quiet: { events: -0.2 } } });
    assert.equal(eventsOf(counts, { name: 'deadline', event: 'extra' }), 200);
    assert.equal(requestsOf(counts, { name: 'deadline', event: 'extra' }), 200);
    assert.equal(eventsOf(counts, { name: 'quiet', event: 'extra' }), 0);
    assert.equal(requestsOf(counts, { name: 'quiet', event: 'extra' }), 100, 'without its own requests query, the side\'s requests');
    assert.equal(eventsOf(counts, { name: 'absent', event: 'extra' }), 0);
  });

  it('join the family: the rollback bound is M/α with M counting them', () => {
    assert.equal(harmBound(judgePolicy()), 40);
    assert.equal(harmBound(judgePolicy({ metrics: [...judgePolicy().metrics, extraMetric] })), 60);
  });

  it('roll back a canary that only the extra metric sees as worse, naming it', () => {
    const policy = judgePolicy({ metrics: [...judgePolicy().metrics, extraMetric] });
    const looks = Array.from({ length: 10 }, () => ({ canary: withExtra(200, 20), primary: withExtra(800, 4) }));
    const verdicts = run(policy, looks);
    const last = verdicts.find((v) => v.kind === 'rollback');
    assert.ok(last !== undefined, verdicts.map((v) => v.reason).join(' | '));
    assert.match(last.reason, /^deadline: the canary counted 10% of 200 against the primary's 0\.5% \(about 20×\) over 1 minute$/);
    const without = run(judgePolicy(), looks);
    assert.ok(without.every((v) => v.kind === 'continue'), 'the built-in metrics alone see nothing wrong');
  });
});

describe('gauge checks', () => {
  const memory = { name: 'memory', max: 500, for: 2 };

  it('roll back when the bound is broken `for` intervals in a row, and a good interval resets the streak', () => {
    const policy = judgePolicy({ checks: [memory] });
    const gauge = (value: number) => ({ canary: withExtra(200, 0, { memory: value }), primary: withExtra(800, 0) });
    const verdicts = run(policy, [gauge(600), gauge(100), gauge(600), gauge(700)]);
    assert.deepEqual(verdicts.map((v) => v.kind), ['continue', 'continue', 'continue', 'rollback']);
    assert.match(verdicts[3]?.reason ?? '', /check memory: canary 700 above max 500 for 2 interval\(s\) in a row \(limit 2\)/);
  });

  it('a min bound: below it counts as broken', () => {
    const checked = gaugeChecks(judgePolicy({ checks: [{ name: 'replicas', min: 2, for: 1 }] }), emptyEvidence(judgePolicy()), { requests: 1, events: { failures: 0, slow: 0 }, gauges: { replicas: 1 } });
    assert.equal(checked.verdict?.kind, 'rollback');
    assert.match(checked.verdict?.reason ?? '', /below min 2/);
  });

  it('pause when a check has no data, in both judges', () => {
    for (const kind of ['sequential', 'threshold'] as const) {
      const policy = judgePolicy({ kind, checks: [memory] });
      const [verdict] = run(policy, [{ canary: withExtra(200, 0, { memory: null }), primary: withExtra(800, 0) }]);
      assert.equal(verdict?.kind === 'pause' ? verdict.cause : verdict?.kind, 'no-data', kind);
    }
  });

  it('the threshold judge rolls back on a broken check too', () => {
    const policy = judgePolicy({ kind: 'threshold', checks: [{ ...memory, for: 1 }] });
    const [verdict] = run(policy, [{ canary: withExtra(200, 0, { memory: 900 }), primary: withExtra(800, 0) }]);
    assert.equal(verdict?.kind, 'rollback');
  });
});
