import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatus, type CanaryStatus } from '../../../src/adapters/kube/canary-resource.ts';
import { formatElapsed, jsonProgress, liveLine, logLine, progressBar, progressKey, type Progress } from '../../../src/cli/wait/render.ts';
import { appName } from '../../../src/cli/kube-flags.ts';

function progress(fields: Record<string, unknown> | undefined, elapsedMs = 65_000): Progress {
  const status = fields === undefined ? undefined : (parseStatus(fields) as CanaryStatus);
  return { app: 'app', namespace: 'shop', bound: 'bbbbbbbbbb', status, steps: [10, 20, 30, 40, 50], elapsedMs };
}

void describe('fledge wait progress', () => {
  void it('shows phase, step, weight, the judge\'s reason and elapsed time in a log line', () => {
    const line = logLine(progress({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: 3, canaryWeight: 30, message: 'no harm seen (failures e=1.2)' }));
    assert.equal(line, 'shop/app bbbbbbbbbb [1m05s] Progressing step 3/5 weight 30% — no harm seen (failures e=1.2)');
  });

  void it('says it waits for the controller while status is about the previous revision', () => {
    const line = logLine(progress({ phase: 'Succeeded', revision: 'aaaaaaaaaa', lastPromotedRevision: 'aaaaaaaaaa' }));
    assert.match(line, /waiting for the controller to start revision bbbbbbbbbb: Canary still on aaaaaaaaaa \(Succeeded\)/);
  });

  void it('draws a bar filled in proportion to the weight of the last step', () => {
    assert.equal(progressBar(progress({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: 3, canaryWeight: 25 }), 10), '[#####-----]');
    assert.equal(progressBar(progress({ phase: 'Succeeded', revision: 'bbbbbbbbbb' }), 10), '[##########]');
    assert.equal(progressBar(progress(undefined), 4), '[----]');
  });

  void it('keeps the live line within the terminal width', () => {
    const line = liveLine(progress({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 10, message: 'x'.repeat(300) }), 80);
    assert.equal(line.length, 80);
  });

  void it('prints a new log line only when something a person would notice changed', () => {
    const a = progress({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 10 }, 1000);
    const b = progress({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 10 }, 9000);
    const c = progress({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: 2, canaryWeight: 20 }, 9000);
    assert.equal(progressKey(a), progressKey(b));
    assert.notEqual(progressKey(b), progressKey(c));
  });

  void it('writes JSON progress with nulls before the run starts', () => {
    const parsed = JSON.parse(jsonProgress(progress(undefined))) as Record<string, unknown>;
    assert.equal(parsed['started'], false);
    assert.equal(parsed['phase'], null);
    assert.equal(parsed['revision'], 'bbbbbbbbbb');
  });

  void it('formats elapsed time in minutes and seconds', () => {
    assert.equal(formatElapsed(42_900), '42s');
    assert.equal(formatElapsed(3_725_000), '62m05s');
  });
});

void describe('naming the app', () => {
  void it('accepts deployment/NAME, deploy/NAME and a bare NAME, and refuses other kinds', () => {
    assert.equal(appName(['deployment/app'], 'u'), 'app');
    assert.equal(appName(['deploy/app'], 'u'), 'app');
    assert.equal(appName(['app'], 'u'), 'app');
    assert.throws(() => appName(['service/app'], 'u'), /expected deployment\/NAME/);
    assert.throws(() => appName(['a', 'b'], 'u'), /exactly one/);
    assert.throws(() => appName(['deployment/App_1'], 'u'), /not a valid name/);
  });
});
