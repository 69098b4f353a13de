// Which release a committed state change ended, and how /metrics counts releases.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, rollBack } from '../../src/core/transitions.ts';
import type { CanaryState } from '../../src/core/state.ts';
import { ControllerMetrics } from '../../src/controller/metrics.ts';
import { endedRelease } from '../../src/controller/release-outcome.ts';

const minute = 60_000;
function state(overrides: Partial<CanaryState>): CanaryState {
  return { ...initialState(), revision: 'bbbbbbbbbb', ...overrides };
}

const running = state({ phase: 'Progressing', runStartedAt: 0, step: 1, canaryWeight: 20 });

void describe('the release a reconcile ended', () => {
  void it('is promoted when the phase moves to Succeeded, timed from the start of the run', () => {
    const promoting = state({ phase: 'Promoting', runStartedAt: 0 });
    assert.deepEqual(endedRelease({ before: promoting, after: state({ phase: 'Succeeded', runStartedAt: 0 }), actions: [], now: 12 * minute }), { outcome: 'promoted', seconds: 720 });
  });

  void it('is rolled back when the judge (or a deadline) fails the run', () => {
    const decision = rollBack(running, 'failures 10x the primary\'s');
    assert.deepEqual(endedRelease({ before: running, after: decision.state, actions: decision.actions, now: 5 * minute }), { outcome: 'rolled_back', seconds: 300 });
  });

  void it('is aborted when a person asked for it', () => {
    const decision = rollBack(running, 'aborted by a person', 'Aborted');
    assert.equal(endedRelease({ before: running, after: decision.state, actions: decision.actions, now: minute })?.outcome, 'aborted');
  });

  void it('is none while the phase stays, or moves anywhere but Succeeded or Failed', () => {
    const done = state({ phase: 'Succeeded' });
    assert.equal(endedRelease({ before: done, after: done, actions: [], now: minute }), null);
    assert.equal(endedRelease({ before: running, after: { ...running, phase: 'Paused' }, actions: [], now: minute }), null);
  });

  void it('has no duration when the start of the run is unknown', () => {
    const decision = rollBack(state({ phase: 'Progressing' }), 'never ready');
    assert.deepEqual(endedRelease({ before: state({ phase: 'Progressing' }), after: decision.state, actions: decision.actions, now: minute }), { outcome: 'rolled_back', seconds: null });
  });
});

void describe('ControllerMetrics', () => {
  void it('counts ended releases per app and outcome, observes their durations, and forgets an app that is gone', async () => {
    const metrics = new ControllerMetrics();
    metrics.setCanary('shop', 'web', 'Succeeded', 0);
    metrics.releaseEnded('shop', 'web', { outcome: 'promoted', seconds: 600 });
    metrics.releaseEnded('shop', 'web', { outcome: 'rolled_back', seconds: null });
    const body = (await metrics.render()).body;
    assert.match(body, /^fledge_release_outcomes_total\{namespace="shop",app="web",outcome="promoted"\} 1$/m);
    assert.match(body, /^fledge_release_outcomes_total\{namespace="shop",app="web",outcome="rolled_back"\} 1$/m);
    assert.match(body, /^fledge_release_duration_seconds_count\{outcome="promoted"\} 1$/m);
    assert.match(body, /^fledge_release_duration_seconds_bucket\{le="900",outcome="promoted"\} 1$/m);
    metrics.forgetCanary('shop', 'web');
    assert.doesNotMatch((await metrics.render()).body, /^fledge_release_outcomes_total\{/m);
  });

  void it('exports fledge_build_info and prom-client\'s standard process_* and nodejs_* metrics, none renamed', async () => {
    const metrics = new ControllerMetrics({ processMetrics: true, build: { version: '1.2.3', node: 'v20.19.0' } });
    const body = (await metrics.render()).body;
    assert.match(body, /^fledge_build_info\{version="1\.2\.3",node="v20\.19\.0"\} 1$/m);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.match(body, new RegExp(`^# TYPE ${name} `, 'm'));
    }
    assert.doesNotMatch(body, /fledge_process_|fledge_nodejs_/);
  });
});
