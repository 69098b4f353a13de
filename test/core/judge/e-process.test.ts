import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addLogs, bernoulliLogLr, canaryEventShare, clampLog, harmAbsolute, harmRatios, harmRelative, logBound, mixture, safeAbsolute, safeRelative,
} from '../../../src/core/judge/e-process.ts';

function close(actual: number | undefined, expected: number, tolerance = 1e-6): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance, `${actual} ≉ ${expected}`);
}

void describe('e-process arithmetic', () => {
  void it('gives the canary share r·s / (r·s + 1 − s) of events under "canary rate = r × primary rate"', () => {
    close(canaryEventShare(1, 0.1), 0.1); // same rate: events split like requests
    close(canaryEventShare(10, 0.1), 0.5263158); // 1 / (1 + 0.9)
    close(canaryEventShare(1.25, 0.1), 0.1219512); // 0.125 / 1.025
    close(canaryEventShare(2, 0.5), 0.6666667); // 1 / 1.5
  });

  void it('scores five canary failures and none on the primary at a 10% share as strong harm evidence', () => {
    // s = 0.1, x_c = 5, x_p = 0:
    // r = 10:   q = 1/1.9 = 0.5263158,   logLR = 5·ln(0.5263158/0.1) = 5·1.6607312 = 8.303656
    // r = 1.25: q = 0.125/1.025 = 0.1219512, logLR = 5·ln(1.219512) = 5·0.1984509 = 0.992255
    const logs = harmRelative({ canaryEvents: 5, primaryEvents: 0, share: 0.1 });
    assert.equal(logs.length, harmRatios.length);
    close(logs[0], 0.992255);
    close(logs[5], 8.303656);
    close(logs[8], 11.082037); // r = 100: q = 10/10.9, 5·ln(9.174312) = 11.082037
  });

  void it('scores events that all land on the primary as evidence against harm', () => {
    // s = 0.5, x_c = 0, x_p = 9, r = 2: q = 2/3, logLR = 9·ln((1/3)/0.5) = 9·(−0.4054651) = −3.649186
    const logs = harmRelative({ canaryEvents: 0, primaryEvents: 9, share: 0.5 });
    close(logs[2], -3.649186);
  });

  void it('computes the absolute log-LR x·ln(p1/p0) + (n − x)·ln((1 − p1)/(1 − p0))', () => {
    // n = 100, x = 3, p0 = 0.01, p1 = 0.02: 3·ln 2 + 97·ln(0.98/0.99) = 2.0794415 − 0.9847800 = 1.0946615
    close(bernoulliLogLr({ hits: 3, misses: 97 }, 0.02, 0.01), 1.0946615);
    close(harmAbsolute({ requests: 100, events: 3 }, 0.01)[1], 1.0946615); // k = 2
    // n = 100, x = 5, p0 = 0.01, k = 20 → p1 = 0.2: 5·ln 20 + 95·ln(0.8/0.99) = 14.978661 − 20.243855 = −5.265194
    close(harmAbsolute({ requests: 100, events: 5 }, 0.01)[5], -5.265194);
  });

  void it('caps the SLO alternatives at 0.999 and ignores alternatives that are not above the SLO rate', () => {
    // p0 = 0.5: k = 1.5 → p1 = 0.75; k = 2 → min(1, 0.999) = 0.999; n = 2, x = 2: 2·ln(1.998) = 2·0.6921467 = 1.384293
    const logs = harmAbsolute({ requests: 2, events: 2 }, 0.5);
    close(logs[0], 2 * Math.log(1.5)); // 0.810930
    close(logs[1], 1.384293);
    assert.deepEqual(harmAbsolute({ requests: 10, events: 10 }, 0.9995), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(harmAbsolute({ requests: 10, events: 1 }, 0), [0, 0, 0, 0, 0, 0]);
  });

  void it('tests non-inferiority against r = rMax and skips alternatives at or above rMax', () => {
    // s = 0.5, x_c = 1, x_p = 9, rMax = 2 → q0 = 2/3; r' = 1 → q = 0.5:
    // 1·ln(0.5/0.6666667) + 9·ln(0.5/0.3333333) = −0.2876821 + 3.6491859 = 3.3615039
    const logs = safeRelative({ canaryEvents: 1, primaryEvents: 9, share: 0.5 }, 2);
    close(logs[0], 3.3615039);
    assert.deepEqual(safeRelative({ canaryEvents: 1, primaryEvents: 9, share: 0.5 }, 0.75).slice(0, 2), [0, 0]);
  });

  void it('tests "canary within the SLO" against p0/k on the canary alone', () => {
    // n = 1000, x = 0, p0 = 0.01, k = 10 → p1 = 0.001: 1000·ln(0.999/0.99) = 9.049835
    close(safeAbsolute({ requests: 1000, events: 0 }, 0.01)[2], 9.049835);
    assert.deepEqual(safeAbsolute({ requests: 1000, events: 0 }, 1), [0, 0, 0]);
  });

  void it('mixes uniformly: the mean of the likelihood ratios', () => {
    close(mixture([0, Math.log(3)]), 2); // (1 + 3) / 2
    assert.equal(mixture([]), 1);
  });

  void it('keeps running sums finite and aligned to the grid', () => {
    assert.deepEqual(addLogs(undefined, [1, 2]), [1, 2]);
    assert.deepEqual(addLogs([1], [1, 2]), [2, 2]);
    assert.equal(clampLog(1e9), logBound);
    assert.equal(clampLog(-Infinity), -logBound);
    assert.equal(clampLog(Number.NaN), 0);
    assert.ok(Number.isFinite(mixture([logBound, logBound])));
  });
});
