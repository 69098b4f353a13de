import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatus, type CanaryStatus } from '../../../src/adapters/kube/canary-resource.ts';
import { formatElapsed, jsonProgress, liveLine, logLine, progressBar, progressKey, resultRecord, type Progress } from '../../../src/cli/wait/render.ts';
import { describeOutcome } from '../../../src/cli/wait/outcome.ts';
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

  void it('numbers steps from 1 in the log line and the JSON alike, "-" and null when no step is in progress', () => {
    const at = progress({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 10 });
    assert.match(logLine(at), / step 1\/5 /);
    const record = JSON.parse(jsonProgress(at)) as Record<string, unknown>;
    assert.equal(record['step'], 1);
    assert.equal(record['steps'], 5);
    const idle = progress({ phase: 'Progressing', revision: 'bbbbbbbbbb', step: null, canaryWeight: 0 });
    assert.match(logLine(idle), / step - /);
    assert.equal((JSON.parse(jsonProgress(idle)) as Record<string, unknown>)['step'], null);
  });

  void it('ends with the controller\'s own sentence, in text and JSON, without saying "rolled back" twice', () => {
    const sentence = "revision bbbbbbbbbb rolled back: the canary failed 3.7% of 1,204 requests against the primary's 0.34% (about 11×) over 4 minutes; the SLO allows 1%";
    const outcome = { kind: 'failed', revision: 'bbbbbbbbbb', message: sentence } as const;
    assert.equal(describeOutcome(outcome), sentence);
    const record = resultRecord({ outcome, exitCode: 1, elapsedMs: 1000, app: 'app', namespace: 'shop' }) as Record<string, unknown>;
    assert.equal(record['message'], sentence);
    const promoted = { kind: 'promoted', revision: 'bbbbbbbbbb', message: 'revision bbbbbbbbbb promoted: promoted by a person (`fledge promote`) at step 1/2 (10% of traffic)' } as const;
    assert.equal(describeOutcome(promoted), promoted.message);
    assert.equal(describeOutcome({ kind: 'failed', revision: 'bbbbbbbbbb', message: '' }), 'revision bbbbbbbbbb rolled back');
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
