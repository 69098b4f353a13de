// Random Prometheus answers, run through the same conversion the Prometheus adapter uses
// (prometheus-counts: vectors, NaN, ±Inf, several series, negative counts, errors) and into both
// judges, interval after interval. Finite, JSON-safe evidence is covered by
// judge/evidence-properties.test.ts; here: what the verdicts may and may not be.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyEvidence, judgeFor } from '../../src/core/judge/index.ts';
import type { Evidence, JudgePolicy, Sample, Verdict } from '../../src/core/types.ts';
import { countPurposes, toSample, type SideAnswers } from '../../src/adapters/prometheus-counts.ts';
import type { QueryAnswer } from '../../src/adapters/prometheus-client.ts';
import { judgePolicy } from './judge/fixtures.ts';

const number = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 2, arbitrary: fc.double({ min: -1e12, max: 1e12, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.3, -0, 1e308, Number.MIN_VALUE) },
);
const answer: fc.Arbitrary<QueryAnswer> = fc.oneof(
  { weight: 6, arbitrary: number.map((v) => ({ kind: 'vector' as const, values: [v] })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'vector' as const, values: [] }) },
  { weight: 1, arbitrary: fc.array(number, { minLength: 2, maxLength: 4 }).map((values) => ({ kind: 'vector' as const, values })) },
  { weight: 1, arbitrary: fc.constantFrom('timeout_error: exceeded 5000ms', 'http_error: 503', 'network_error: ECONNREFUSED', 'bad_data: parse error', '<html>').map((message) => ({ kind: 'error' as const, message })) },
);
const side: fc.Arbitrary<SideAnswers> = fc.record({ requests: answer, failures: answer, slow: answer, successRate: answer, p99: answer });
const interval = fc.record({ canary: side, primary: side, weight: fc.integer({ min: 0, max: 100 }), newStep: fc.boolean() });

/** A count query whose answer the conversion refuses (so the side is an error sample). */
function garbled(answers: SideAnswers): boolean {
  return countPurposes.some((purpose) => {
    const a = answers[purpose];
    if (a.kind === 'error' || a.values.length > 1) return true;
    const [v] = a.values;
    return v !== undefined && purpose !== 'requests' && (!Number.isFinite(v) || v < -0.5);
  }) || (answers.requests.kind === 'vector' && answers.requests.values.length === 1 && Number.isFinite(answers.requests.values[0]) && (answers.requests.values[0] ?? 0) < -0.5);
}

function checkVerdict(verdict: Verdict): void {
  assert.ok(['continue', 'pause', 'rollback'].includes(verdict.kind), JSON.stringify(verdict));
  assert.ok(typeof verdict.reason === 'string' && verdict.reason.length > 0);
  // The conversion's own words for a broken answer aside, no number may print as NaN or Infinity.
  const text = verdict.reason.replaceAll('returned NaN or an infinite value', '');
  assert.doesNotMatch(text, /NaN|Infinity|undefined|\[object/, `a reason people read: ${verdict.reason}`);
  if (verdict.kind === 'pause') assert.ok(['no-data', 'metrics-unavailable', 'shared-incident'].includes(verdict.cause));
}

type Step = { canary: SideAnswers; primary: SideAnswers; weight: number; newStep: boolean };

function assessAll(policy: JudgePolicy, steps: readonly Step[], onEach: (step: Step, samples: { canary: Sample; primary: Sample }, verdict: Verdict, before: Evidence) => void): void {
  const judge = judgeFor(policy);
  let evidence = emptyEvidence(policy);
  for (const step of steps) {
    const canary = toSample(step.canary, 'canary shop/app');
    const primary = toSample(step.primary, 'primary shop/app-primary');
    const assessment = judge.assess(evidence, { start: 0, end: 60_000, canary, primary }, { canaryWeight: step.weight, newStep: step.newStep });
    checkVerdict(assessment.verdict);
    onEach(step, { canary, primary }, assessment.verdict, evidence);
    assert.ok(assessment.evidence.intervals >= evidence.intervals, 'the interval count never goes back');
    evidence = assessment.evidence;
  }
}

const policies: Array<[string, JudgePolicy]> = [
  ['sequential', judgePolicy()],
  ['sequential, evidence promotion, one metric', judgePolicy({ metrics: [{ name: 'errors', event: 'failures', sloRate: 0.001, rMax: 2 }], alpha: 0.01 })],
  ['threshold', judgePolicy({ kind: 'threshold', maxFailedChecks: 1 })],
];

describe('judges fed random Prometheus answers through the count conversion', () => {
  for (const [name, policy] of policies) {
    test(`never throw and give verdicts people can read (${name})`, () => {
      fc.assert(fc.property(fc.array(interval, { maxLength: 12 }), (steps) => {
        assessAll(policy, steps, () => undefined);
      }), { numRuns: 800, seed: 9 });
    });

    test(`a garbled or failed count query on either side pauses: never a rollback, never a step forward (${name})`, () => {
      fc.assert(fc.property(fc.array(interval, { maxLength: 8 }), (steps) => {
        assessAll(policy, steps, (step, samples, verdict) => {
          if (!garbled(step.canary) && !garbled(step.primary)) return;
          assert.ok(samples.canary.kind === 'error' || samples.primary.kind === 'error', 'the conversion refused the answer');
          assert.equal(verdict.kind, 'pause', JSON.stringify(verdict));
          assert.equal(verdict.kind === 'pause' && verdict.cause, 'metrics-unavailable');
        });
      }), { numRuns: 800, seed: 10 });
    });

    test(`a canary without requests is never rolled back for it (${name})`, () => {
      fc.assert(fc.property(fc.array(interval, { maxLength: 8 }), (steps) => {
        assessAll(policy, steps, (_step, samples, verdict) => {
          if (samples.canary.kind !== 'no-data' || samples.primary.kind === 'error') return;
          assert.notEqual(verdict.kind, 'rollback', JSON.stringify(verdict));
        });
      }), { numRuns: 800, seed: 11 });
    });
  }

  test('garbage in the display queries (success rate, p99) is the same as no display value', () => {
    const display = fc.record({ successRate: answer, p99: answer });
    fc.assert(fc.property(side, display, (answers, shown) => {
      const garbage = (a: QueryAnswer): boolean => a.kind === 'error' || a.values.length !== 1 || !Number.isFinite(a.values[0]);
      const cleaned: SideAnswers = {
        ...answers,
        successRate: garbage(shown.successRate) ? { kind: 'vector', values: [] } : shown.successRate,
        p99: garbage(shown.p99) ? { kind: 'vector', values: [] } : shown.p99,
      };
      assert.deepEqual(toSample({ ...answers, ...shown }, 'canary'), toSample(cleaned, 'canary'));
    }), { numRuns: 1000, seed: 12 });
  });
});
