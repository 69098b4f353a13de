import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryHarness, releaseHarness, type ScenarioHarness } from '../support/release-harness.ts';
import { parseStatus } from '../../src/ports/canary-status.ts';
import { decodeRun } from '../../src/ports/canary-history.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };
const terminal = (s: Record<string, any>): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';
/** The values with repeats in a row collapsed: the steps a weight went through. */
const steps = (values: readonly number[]): number[] => values.filter((v, i) => v !== values[i - 1]);

async function bootstrap(h: ScenarioHarness, annotations: Record<string, string> = fast): Promise<void> {
  await h.deploy('app', { annotations });
  await h.runUntil('app', (s) => s.phase === 'Ready');
}

describe('the history of a release in its Canary', () => {
  it('records every judged interval with both sides, and keeps the finished run as the last one', async (t) => {
    const h = await releaseHarness(t);
    await bootstrap(h);
    await h.setImage('app', 'app:2.0');
    const done = await h.runUntil('app', terminal);
    const last = decodeRun(done.status.history.last);
    assert.equal(done.status.history.current, null);
    assert.equal(last.outcome, 'Succeeded');
    assert.equal(last.revision, done.status.revision);
    const judged = last.looks.canaryRequests.filter((n) => n !== null).length;
    assert.ok(judged >= 2, `${judged} judged looks`);
    assert.deepEqual(steps(last.looks.weight), [0, 10, 50, 0], 'the weight steps, in order');
    assert.deepEqual(Object.keys(last.looks.evidence).sort(), ['errors', 'latency']);
    assert.ok(last.looks.primaryRequests.some((n) => n !== null && n > 0));
    assert.match(last.looks.notes.at(-1)?.text ?? '', /promoted/);
  });

  it('a rolled-back run keeps the judge\'s reason at its last look, and the next run starts a current one', async (t) => {
    const h = await memoryHarness(t);
    await bootstrap(h);
    h.script = { ...h.script, canary: () => ({ failure: 0.08, slow: 0.002 }) };
    await h.setImage('app', 'app:2.0');
    const failed = await h.runUntil('app', terminal);
    assert.equal(failed.status.history.last.outcome, 'Failed');
    assert.match(failed.status.history.last.looks.notes.at(-1).text, /rolled back/);
    assert.ok(failed.status.history.last.looks.canaryEvents.failures.split(',').length >= 2, 'one value per look in a comma-separated line');
    h.script = { ...h.script, canary: () => ({ failure: 0, slow: 0 }) };
    await h.setImage('app', 'app:3.0');
    const next = await h.runUntil('app', (s) => s.canaryWeight === 10);
    assert.equal(next.status.history.last.outcome, 'Failed', 'the last finished run stays');
    assert.equal(next.status.history.current.revision, next.status.revision);
  });

  it('a long run is thinned to 120 looks, and the Canary stays under 64 KiB', async (t) => {
    const h = await memoryHarness(t);
    // 2 h at each of three steps, judged every 30 s: about 720 looks in the first run.
    const long = { ...fast, 'fledge.dev/bake': '2h', 'fledge.dev/steps': '10,20,50', 'fledge.dev/progress-deadline': '10m' };
    await bootstrap(h, long);
    h.script = { ...h.script, canary: () => ({ failure: 0.001, slow: 0.001 }), primary: () => ({ failure: 0.002, slow: 0.002 }) };
    await h.setImage('app', 'app:2.0');
    const first = await h.runUntil('app', terminal, 5000);
    assert.equal(first.status.phase, 'Succeeded', first.status.message);

    await h.setImage('app', 'app:3.0');
    const canary = await h.runUntil('app', (s) => s.step === 2 && Date.parse(s.stepStartedAt) + 3_600_000 < h.now(), 5000);
    const current = decodeRun(canary.status.history.current);
    const last = decodeRun(canary.status.history.last);
    for (const run of [current, last]) {
      assert.ok(run.looks.atMs.length <= 120, `${run.looks.atMs.length} looks`);
      assert.ok(run.thinned > 300, `${run.thinned} looks thinned`);
      assert.equal(run.looks.atMs[0], 0, 'the first look is kept');
      assert.ok((run.looks.atMs.at(-1) ?? 0) > 5 * 3_600_000 - 60_000 || run === current);
    }
    assert.deepEqual(steps(last.looks.weight), [0, 10, 20, 50, 0], 'every step is still in the thinned record');
    assert.notEqual(parseStatus(canary.status), null, 'the status still reads');
    const size = Buffer.byteLength(JSON.stringify(canary));
    assert.ok(size < 64 * 1024, `the Canary is ${size} bytes`);
    t.diagnostic(`Canary with two long runs in its history: ${size} bytes`);
  });
});
