import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyEvidence, judgeFor } from '../../../src/core/judge/index.ts';
import type { Evidence, Verdict } from '../../../src/core/types.ts';
import { failing, judgePolicy, measured, noData, step, value } from './fixtures.ts';

const policy = judgePolicy();
const judge = judgeFor(policy);

function safeOf(verdict: Verdict): boolean {
  return verdict.kind === 'continue' && verdict.safe;
}

// Canary 1000 requests, none failing or slow; primary 9000 with 1% failing and 1% slow.
const clean = measured(value(1000, 0, 0), value(9000, 90, 90));

void describe('sequential judge, evidence mode (non-inferiority per step)', () => {
  void it('shows a clean canary is no worse than allowed, with the numbers', () => {
    // errors, rMax = 2, s = 0.1: q(2) = 0.2/1.1 = 0.181818, q(1) = 0.1; x_c = 0, x_p = 90:
    //   r' = 1: 90·ln(0.9/0.818182) = 90·0.0953102 = 8.577918 → exp = 5314
    // absolute, p0 = 1%, k = 10: 1000·ln(0.999/0.99) = 9.049835 → exp = 8518
    // E_safe ≥ (5314/3 + 8518/3)/2 ≈ 2305 ≥ M/β = 40.
    const { evidence, verdict } = judge.assess(emptyEvidence(policy), clean, step(10, true));
    const errors = evidence.metrics[0]!;
    assert.ok(Math.abs(errors.logLr['safeRel']![0]! - 8.577918) < 1e-5);
    assert.ok(Math.abs(errors.logLr['safeAbs']![2]! - 9.049835) < 1e-5);
    assert.ok(errors.safe > 2305);
    assert.equal(verdict.kind, 'continue');
    assert.ok(safeOf(verdict));
    assert.match(verdict.reason, /; shown no worse than allowed at this step \(evidence errors [\d.]+×, latency [\d.]+× the threshold\)$/);
  });

  void it('does not call a canary safe on too little traffic', () => {
    const { verdict } = judge.assess(emptyEvidence(policy), measured(value(50, 0, 0), value(450, 4, 4)), step(10, true));
    assert.equal(verdict.kind, 'continue');
    assert.equal(safeOf(verdict), false);
  });

  function fiveIntervals(canary: [number, number], primary: [number, number]): Verdict {
    let evidence: Evidence = emptyEvidence(policy);
    let verdict: Verdict | undefined;
    for (let i = 0; i < 5; i += 1) {
      ({ evidence, verdict } = judge.assess(evidence, measured(value(...canary), value(...primary)), step(10, i === 0)));
    }
    return verdict!;
  }

  void it('does not call a canary safe when it fails nearly twice as often as the primary and sits at the SLO', () => {
    const verdict = fiveIntervals([1000, 10], [9000, 54]); // 1% vs 0.6%, SLO 1%: no harm proven either
    assert.equal(verdict.kind, 'continue');
    assert.equal(safeOf(verdict), false);
  });

  void it('calls a canary well within the SLO safe even when the primary fails less (the absolute fallback)', () => {
    // "safe" rejects "canary ≥ rMax × primary AND canary ≥ SLO": 0.4% vs 0.2% is clearly within 1%.
    assert.equal(safeOf(fiveIntervals([1000, 4], [9000, 18])), true);
  });

  void it('restarts the safe evidence at each new step, keeping the harm evidence', () => {
    const first = judge.assess(emptyEvidence(policy), clean, step(10, true)).evidence;
    const next = judge.assess(first, measured(noData), step(20, true));
    assert.equal(next.evidence.metrics[0]!.safe, 1);
    assert.deepEqual(next.evidence.metrics[0]!.logLr['safeRel'], [0, 0, 0]);
    assert.deepEqual(next.evidence.metrics[0]!.logLr['rel'], first.metrics[0]!.logLr['rel']);
    assert.equal(next.evidence.metrics[0]!.harm, first.metrics[0]!.harm);
    assert.equal(safeOf(next.verdict), false);
  });

  void it('restarts the safe evidence at a new step even when Prometheus errors, so no claim crosses steps', () => {
    const first = judge.assess(emptyEvidence(policy), clean, step(10, true)).evidence;
    const errored = judge.assess(first, measured(failing('timeout')), step(20, true));
    assert.equal(errored.verdict.kind, 'pause');
    assert.equal(errored.evidence.metrics[0]!.safe, 1);
    const later = judge.assess(errored.evidence, measured(value(50, 0, 0), value(450, 4, 4)), step(20));
    assert.equal(safeOf(later.verdict), false);
  });

  void it('keeps the safe evidence within a step', () => {
    const first = judge.assess(emptyEvidence(policy), clean, step(10, true)).evidence;
    const second = judge.assess(first, clean, step(10));
    assert.ok(second.evidence.metrics[0]!.safe > first.metrics[0]!.safe);
  });

  void it('ignores relative alternatives that are not below rMax', () => {
    const strict = judgePolicy({ metrics: [{ name: 'errors', event: 'failures', sloRate: 0.01, rMax: 0.75 }] });
    const { evidence } = judgeFor(strict).assess(emptyEvidence(strict), clean, step(10, true));
    const sums = evidence.metrics[0]!.logLr['safeRel']!;
    assert.deepEqual(sums.slice(0, 2), [0, 0]);
    assert.ok(sums[2]! > 0);
  });

  void it('is safe vacuously with no metrics, and never rolls back on harm without metrics', () => {
    const none = judgePolicy({ metrics: [] });
    const { verdict } = judgeFor(none).assess(emptyEvidence(none), clean, step(10, true));
    assert.equal(verdict.kind, 'continue');
    assert.ok(safeOf(verdict));
  });
});
