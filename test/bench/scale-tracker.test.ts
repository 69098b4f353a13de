// The scale bench's step lag: the earliest advance a prompt controller could make, and the lag
// of each advance read from Canary status updates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReleaseTracker, scheduledAdvance } from '../../bench/scale/tracker.ts';

const timing = { intervalMs: 10_000, lookMs: 10_000, bakeMs: 10_000, lagMs: 2_000 };
const t0 = Date.parse('2026-11-23T10:00:00Z');

function canary(name: string, status: { phase: string; step: number; stepStartedAt: number; analyzedUntil: number }) {
  return {
    metadata: { name },
    status: { ...status, stepStartedAt: new Date(status.stepStartedAt).toISOString(), analyzedUntil: new Date(status.analyzedUntil).toISOString() },
  };
}

void describe('scale bench step lag', () => {
  void it('expects the first advance one interval plus the metrics lag after a step that starts its own interval', () => {
    assert.equal(scheduledAdvance({ step: 0, startedAt: t0, analyzedUntil: t0 }, timing), t0 + 12_000);
  });

  void it('expects a later step to wait for the first interval that ends after it started, and the bake', () => {
    // The previous interval ended 2 s before the step started: the next one ends 8 s into the step.
    assert.equal(scheduledAdvance({ step: 1, startedAt: t0, analyzedUntil: t0 - 2_000 }, timing), t0 + 10_000);
    // A late controller: the step started 15 s after the last judged interval ended.
    assert.equal(scheduledAdvance({ step: 1, startedAt: t0, analyzedUntil: t0 - 15_000 }, timing), t0 + 10_000);
  });

  void it('with finer looks, expects the advance at the bake once a look ending after the step began is complete', () => {
    const looking = { ...timing, lookMs: 2_000 };
    assert.equal(scheduledAdvance({ step: 1, startedAt: t0 + 500, analyzedUntil: t0 }, looking), t0 + 10_500);
    // A short bake: the first look after the step's start, read 2 s after it ends.
    assert.equal(scheduledAdvance({ step: 1, startedAt: t0 + 500, analyzedUntil: t0 }, { ...looking, bakeMs: 1_000 }), t0 + 4_000);
  });

  void it('records the lag of each advance during a release and ignores bootstrap', () => {
    const tracker = new ReleaseTracker(timing);
    tracker.onCanary(canary('a', { phase: 'Progressing', step: 0, stepStartedAt: t0 - 60_000, analyzedUntil: t0 - 60_000 }));
    tracker.startRelease();
    tracker.onCanary(canary('a', { phase: 'Progressing', step: 0, stepStartedAt: t0, analyzedUntil: t0 }));
    tracker.onCanary(canary('a', { phase: 'Progressing', step: 0, stepStartedAt: t0, analyzedUntil: t0 + 10_000 }));
    tracker.onCanary(canary('a', { phase: 'Progressing', step: 1, stepStartedAt: t0 + 12_500, analyzedUntil: t0 + 10_000 }));
    tracker.onCanary(canary('a', { phase: 'Succeeded', step: -1, stepStartedAt: t0 + 12_500, analyzedUntil: t0 + 20_000 }));
    assert.deepEqual(tracker.stepLagsMs, [500]);
    assert.equal(tracker.count('Succeeded'), 1);
  });

  void it('times the scale-up from the change to the start of the run that scales the canary up', () => {
    const tracker = new ReleaseTracker(timing);
    tracker.startRelease();
    tracker.changed('a', t0);
    tracker.onCanary({ metadata: { name: 'a' }, status: { phase: 'Ready', step: -1, runStartedAt: new Date(t0 - 60_000).toISOString() } });
    tracker.onCanary({ metadata: { name: 'a' }, status: { phase: 'Progressing', step: -1, runStartedAt: new Date(t0 + 300).toISOString() } });
    tracker.onCanary({ metadata: { name: 'a' }, status: { phase: 'Progressing', step: 0, runStartedAt: new Date(t0 + 300).toISOString() } });
    assert.deepEqual(tracker.scaleUpMs, [300]);
  });
});
