// Looks that only add evidence are held in memory and written once per interval: the judge still
// weighs every look as it arrives, a decision is written at the look that made it, and a restarted
// controller measures the windows it lost again as one longer window, never counting one twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { behindHoldIntervals, HeldLooks, holdable, holdSpanMs } from '../../src/controller/held-looks.ts';
import { LookPace } from '../../src/controller/look-pace.ts';
import type { CanaryObject, CanaryStatus } from '../../src/ports.ts';
import { memoryHarness, type MemoryHarness } from '../support/release-harness.ts';

const minute = 60_000;
// linkerd's 10 s scrape: a look every 20 s, three per 1-minute interval.
const annotations = { 'fledge.dev/interval': '1m', 'fledge.dev/bake': '10m', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '10m' };

async function running(t: Parameters<typeof memoryHarness>[0]): Promise<MemoryHarness> {
  const h = await memoryHarness(t);
  await h.deploy('app', { annotations });
  await h.runUntil('app', (s) => s.phase === 'Ready');
  await h.setImage('app', 'app:2.0');
  await h.runUntil('app', (s) => s.analyzedUntil !== null && s.step === 1);
  return h;
}

interface Look {
  /** End of the last window judged (in memory) and as stored, in ms. */
  readonly judged: number;
  readonly stored: number;
  readonly phase: string;
}

/** One reconcile at the next look (time moves to it first), and what it left judged and stored. */
async function nextLook(h: MemoryHarness, lookMs: number): Promise<Look> {
  h.advance(lookMs);
  await h.step('app');
  const stored = (await h.admin.getCanary('default', 'app'))!;
  const judged = h.deps.looks!.current(stored);
  return { judged: Date.parse(judged.status!.analyzedUntil!), stored: Date.parse(stored.status!.analyzedUntil!), phase: stored.status!.phase };
}

function windowsOf(h: MemoryHarness): Array<{ start: number; end: number }> {
  return h.measured.map((m) => ({ start: m.start, end: m.end }));
}

describe('looks held between status writes', () => {
  it('weighs every look but writes the status once per interval, never more than an interval behind', async (t) => {
    const h = await running(t);
    const looks: Look[] = [];
    for (let i = 0; i < 9; i += 1) looks.push(await nextLook(h, 20_000));
    const judged = new Set(looks.map((l) => l.judged));
    const stored = new Set(looks.map((l) => l.stored));
    assert.equal(judged.size, 9, 'each look judged a new window');
    assert.ok(stored.size <= 4, `stored ${stored.size} times for 9 looks (three a minute)`);
    for (const look of looks) assert.ok(look.judged - look.stored < minute, `held ${(look.judged - look.stored) / 1000}s, less than an interval`);
    // Every look is in the history once written.
    const last = looks.at(-1)!;
    if (last.judged !== last.stored) await nextLook(h, minute);
    const status = (await h.canary('app')).status;
    const judgedLooks = (status.history.current.looks.canaryRequests as string).split(',').filter((n) => n !== '');
    assert.ok(judgedLooks.length >= 9, `history holds every judged look (${judgedLooks.length})`);
  });

  it('while the controller is behind (one look per interval), writes the status once per three intervals, never more behind', async (t) => {
    const h = await running(t);
    // A work queue whose oldest key has waited a minute: looks of 20 s are paced to the interval.
    const pace = new LookPace({ clock: { now: () => h.now() }, oldestPending: () => minute });
    Object.assign(h.deps, { pace });
    const looks: Look[] = [];
    for (let i = 0; i < 7; i += 1) looks.push(await nextLook(h, minute));
    assert.equal(pace.coarse, true, 'the looks were paced');
    assert.equal(new Set(looks.map((l) => l.judged)).size, 7, 'each look judged a new window');
    const writes = new Set(looks.map((l) => l.stored)).size;
    assert.ok(writes <= 3, `stored ${writes} times for 7 one-minute looks`);
    for (const look of looks) assert.ok(look.judged - look.stored < behindHoldIntervals * minute, `held ${(look.judged - look.stored) / 1000}s`);
  });

  it('writes a rollback at the look that decided it', async (t) => {
    const h = await running(t);
    h.script = { ...h.script, canary: () => ({ failure: 0.3, slow: 0.002 }) };
    for (let i = 0; i < 30; i += 1) {
      const look = await nextLook(h, 20_000);
      if (look.phase === 'Failed' || look.phase === 'RollingBack') {
        assert.equal(look.stored, look.judged, 'the deciding look is stored with the decision');
        return;
      }
    }
    assert.fail('the canary failing 30% was never rolled back');
  });

  it('after a restart, measures the unwritten windows again as one window that starts where the stored status ends', async (t) => {
    const h = await running(t);
    let look = await nextLook(h, 20_000);
    for (let i = 0; i < 5 && look.judged === look.stored; i += 1) look = await nextLook(h, 20_000);
    assert.ok(look.judged > look.stored, 'a look is held');
    const lost = look.judged - look.stored;
    h.restart();
    const before = h.measured.length;
    const after = await nextLook(h, 20_000);
    const windows = windowsOf(h).slice(before);
    assert.equal(windows.length, 1, 'one measurement after the restart');
    assert.equal(windows[0]!.start, look.stored, 'it starts where the stored status ends');
    assert.equal(windows[0]!.end - windows[0]!.start, lost + 20_000, 'and covers the lost looks and the new one');
    assert.equal(after.judged, windows[0]!.end);
    // No window judged overlaps another (the lost ones were never stored, so none counts twice in the stored evidence).
    const stored = (await h.canary('app')).status;
    assert.ok(Date.parse(stored.analyzedUntil) <= after.judged);
  });
});

describe('holdable', () => {
  const base = (over: Partial<CanaryStatus> = {}): CanaryStatus => ({
    phase: 'Progressing', canaryWeight: 10, step: 1, analyzedUntil: '2026-11-23T10:01:00.000Z', message: 'judging', evidence: null,
    progressAt: '2026-11-23T10:01:00.000Z', conditions: [{ type: 'Ready', status: 'True', reason: 'Progressing', message: 'judging', lastTransitionTime: '2026-11-23T10:00:00Z', observedGeneration: 1 }],
    ...over,
  }) as unknown as CanaryStatus;
  const later = (ms: number): string => new Date(Date.parse('2026-11-23T10:01:00.000Z') + ms).toISOString();

  it('holds a look that only moves the judged window, the evidence and the sentence, within the interval', () => {
    const next = base({ analyzedUntil: later(20_000), progressAt: later(20_000), message: 'judging more', conditions: [{ ...base().conditions[0]!, message: 'judging more' }] });
    assert.equal(holdable(base(), next, minute), true);
  });

  it('writes a look that reaches an interval past the stored one', () => {
    assert.equal(holdable(base(), base({ analyzedUntil: later(minute) }), minute), false);
  });

  it('writes anything else that changed: the weight, the phase, a condition reason', () => {
    assert.equal(holdable(base(), base({ analyzedUntil: later(20_000), canaryWeight: 50 }), minute), false);
    assert.equal(holdable(base(), base({ analyzedUntil: later(20_000), phase: 'Paused' } as Partial<CanaryStatus>), minute), false);
    const reason = { ...base().conditions[0]!, reason: 'Paused' };
    assert.equal(holdable(base(), base({ analyzedUntil: later(20_000), conditions: [reason] }), minute), false);
  });

  it('holds looks up to three intervals while they are paced to the interval, always an interval short of the progress deadline', () => {
    const paced = { intervalMs: minute, paceMs: minute, progressDeadlineMs: 10 * minute };
    assert.equal(holdSpanMs({ intervalMs: minute, progressDeadlineMs: 10 * minute }), minute);
    assert.equal(holdSpanMs(paced), 3 * minute);
    assert.equal(holdable(base(), base({ analyzedUntil: later(2 * minute) }), holdSpanMs(paced)), true);
    assert.equal(holdable(base(), base({ analyzedUntil: later(3 * minute) }), holdSpanMs(paced)), false);
    // The shortest deadline allowed (twice the interval): the stored progress is never more than one interval old.
    assert.equal(holdSpanMs({ ...paced, progressDeadlineMs: 2 * minute }), minute);
    assert.equal(holdSpanMs({ ...paced, progressDeadlineMs: 3 * minute }), 2 * minute);
  });

  it('never holds before anything was judged', () => {
    assert.equal(holdable(base({ analyzedUntil: null }), base({ analyzedUntil: later(20_000) }), minute), false);
    assert.equal(holdable(undefined, base(), minute), false);
  });
});

describe('HeldLooks', () => {
  const canary = (resourceVersion: string, until: string): CanaryObject => ({
    apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { namespace: 'default', name: 'app', resourceVersion }, spec: {},
    status: { phase: 'Progressing', analyzedUntil: until, conditions: [] } as unknown as CanaryStatus,
  });

  it('answers with the held status only while the stored one is the version it was built on', () => {
    const looks = new HeldLooks();
    const stored = canary('7', '2026-11-23T10:01:00.000Z');
    const next = canary('7', '2026-11-23T10:01:20.000Z');
    assert.equal(looks.hold(stored, next, minute), true);
    assert.equal(looks.current(stored), next);
    assert.equal(looks.current(canary('8', '2026-11-23T10:01:00.000Z')).metadata.resourceVersion, '8', 'someone wrote: the stored one wins');
    assert.equal(looks.size, 0, 'and the stale hold is gone');
  });

  it('measures the interval from the stored status, not from the held one', () => {
    const looks = new HeldLooks();
    const stored = canary('7', '2026-11-23T10:01:00.000Z');
    const first = canary('7', '2026-11-23T10:01:40.000Z');
    assert.equal(looks.hold(stored, first, minute), true);
    const second = canary('7', '2026-11-23T10:02:00.000Z');
    assert.equal(looks.hold(looks.current(stored), second, minute), false, 'a minute past the stored status: written');
  });
});
