import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { emptyEvidence, judgeFor } from '../../../src/core/judge/index.ts';
import type { Evidence, JudgePolicy, Sample } from '../../../src/core/types.ts';
import { judgePolicy, measured } from './fixtures.ts';

const count = fc.oneof(fc.double({ min: -10, max: 1e9, noNaN: false }), fc.integer({ min: 0, max: 1_000_000 }), fc.constant(0));
const sample: fc.Arbitrary<Sample> = fc.oneof(
  fc.record({ requests: count, failures: count, slow: count }).map(({ requests, failures, slow }) => ({
    kind: 'value' as const, counts: { requests, events: { failures, slow } },
  })),
  fc.constant({ kind: 'no-data' as const }),
  fc.string().map((message) => ({ kind: 'error' as const, message })),
);
const interval = fc.record({ canary: sample, primary: sample, weight: fc.integer({ min: 0, max: 100 }), newStep: fc.boolean() });

function finite(evidence: Evidence): boolean {
  return evidence.metrics.every((m) =>
    [m.harm, m.safe, m.canaryRequests, m.canaryEvents, m.primaryRequests, m.primaryEvents, ...Object.values(m.logLr).flat()].every(Number.isFinite),
  );
}

function play(policy: JudgePolicy, steps: ReadonlyArray<{ canary: Sample; primary: Sample; weight: number; newStep: boolean }>): Evidence {
  const judge = judgeFor(policy);
  let evidence = emptyEvidence(policy);
  for (const step of steps) {
    evidence = judge.assess(evidence, measured(step.canary, step.primary), { canaryWeight: step.weight, newStep: step.newStep }).evidence;
    assert.ok(finite(evidence), JSON.stringify(evidence));
  }
  return evidence;
}

void describe('evidence for the Canary status', () => {
  for (const kind of ['sequential', 'threshold'] as const) {
    void it(`stays finite and survives a JSON round trip whatever Prometheus returns (${kind})`, () => {
      fc.assert(fc.property(fc.array(interval, { maxLength: 12 }), (steps) => {
        const evidence = play(judgePolicy({ kind }), steps);
        assert.deepEqual(JSON.parse(JSON.stringify(evidence)), evidence);
      }), { numRuns: 300 });
    });
  }

  void it('never rolls back or advances on a Prometheus error, whatever came before', () => {
    const policy = judgePolicy();
    fc.assert(fc.property(fc.array(interval, { maxLength: 8 }), sample, (steps, other) => {
      const before = play(policy, steps);
      const verdict = judgeFor(policy).assess(before, measured({ kind: 'error', message: 'down' }, other), { canaryWeight: 10, newStep: false }).verdict;
      assert.equal(verdict.kind, 'pause');
    }), { numRuns: 200 });
  });
});
