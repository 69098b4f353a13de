import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aboutTimes, comparison, countsLine, formatCount, passedSentence, spanWords, towardThreshold } from '../../../src/core/judge/explain.ts';
import type { MetricEvidence } from '../../../src/core/types.ts';
import { judgePolicy } from './fixtures.ts';

const judge = judgePolicy({ latencyP99MaxMs: 500 });
const [errors, latency] = judge.metrics;

function evidence(overrides: Partial<MetricEvidence>): MetricEvidence {
  return { name: 'errors', canaryRequests: 1204, canaryEvents: 45, primaryRequests: 9800, primaryEvents: 33, ratio: 11, harm: 1, safe: 1, logLr: {}, ...overrides };
}

void describe('sentences for people', () => {
  void it('writes counts with thousands separators', () => {
    assert.deepEqual([0, 999, 1204, 1_234_567, -4321, 12.6].map(formatCount), ['0', '999', '1,204', '1,234,567', '-4,321', '13']);
  });

  void it('writes spans in words', () => {
    assert.deepEqual([0, 45_000, 60_000, 240_000, 3_600_000, 7_500_000].map(spanWords), ['0 seconds', '45 seconds', '1 minute', '4 minutes', '1 hour', '2 hours 5 minutes']);
  });

  void it('writes ratios as a person says them', () => {
    assert.deepEqual([0.97, 1.54, 9.5, 10.6, 1234.4, Infinity].map(aboutTimes), ['about 0.97×', 'about 1.5×', 'about 9.5×', 'about 11×', 'about 1,234×', 'infinitely many times']);
  });

  void it('measures the way to a threshold on the scale evidence grows on', () => {
    assert.equal(towardThreshold(Math.sqrt(40), 40), 0.5);
    assert.equal(towardThreshold(40, 40), 1);
    assert.equal(towardThreshold(0.3, 40), 0, 'evidence for the canary is no way towards a rollback');
    assert.equal(towardThreshold(5, null), null);
    assert.equal(towardThreshold(5, 1), null);
  });

  void it('compares the canary with the primary and the SLO: failures', () => {
    const sentence = comparison({ metric: errors!, evidence: evidence({}), judge, measuredMs: 240_000 });
    assert.equal(sentence, "the canary failed 3.74% of 1,204 requests against the primary's 0.34% (about 11×) over 4 minutes; the SLO allows 1%");
  });

  void it('compares slow requests against the latency boundary, and does without a time or a ratio', () => {
    const sentence = comparison({ metric: latency!, evidence: evidence({ name: 'latency', ratio: null, primaryEvents: 0 }), judge });
    assert.equal(sentence, "the canary answered 3.74% of 1,204 requests slower than 500 ms against the primary's 0% of 9,800; the SLO allows 1%");
    const noTime = comparison({ metric: errors!, evidence: evidence({}), judge });
    assert.equal(noTime, "the canary failed 3.74% of 1,204 requests against the primary's 0.34% (about 11×); the SLO allows 1%");
  });

  void it('says so when the primary had nothing to compare', () => {
    const sentence = comparison({ metric: errors!, evidence: evidence({ primaryRequests: 0, primaryEvents: 0, ratio: null }), judge, measuredMs: 60_000 });
    assert.equal(sentence, 'the canary failed 3.74% of 1,204 requests over 1 minute (the primary had no requests to compare); the SLO allows 1%');
  });

  void it('sums up a metric in one line for status.evidence', () => {
    assert.equal(countsLine(evidence({})), 'canary 3.74% of 1,204, primary 0.34% of 9,800 (about 11×)');
    assert.equal(countsLine(evidence({ canaryRequests: 0, canaryEvents: 0, ratio: null })), 'canary no requests, primary 0.34% of 9,800');
  });

  void it('says what the analysis saw when it let a run through, metric by metric, or nothing without data', () => {
    const seen = { metrics: [evidence({ ratio: 0.9, canaryEvents: 4 }), evidence({ name: 'latency', canaryEvents: 2, ratio: 1.2 })], intervals: 6, noDataStreak: 0, failedChecks: 0, measuredMs: 360_000, rollbackAt: 40 };
    assert.match(passedSentence(judge, seen) ?? '', /^analysis passed at every step: the canary failed 0\.33% of 1,204 requests .* over 6 minutes; the SLO allows 1%; and the canary answered 0\.17% of 1,204 requests slower than 500 ms .*$/);
    assert.equal(passedSentence(judge, null), null);
    assert.equal(passedSentence(judge, { ...seen, metrics: [] }), null);
  });
});
