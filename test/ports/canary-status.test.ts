import { noHookProgress } from '../../src/core/transitions.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CanaryState } from '../../src/core/state.ts';
import type { MetricEvidence } from '../../src/core/types.ts';
import { canaryStatusSchema } from '../../src/ports/canary-schema.ts';
import { fromStatus, parseStatus, setCondition, toStatus } from '../../src/ports/canary-status.ts';
import { parseRequest, readRequest, requestAnnotation } from '../../src/ports/canary-object.ts';

const t0 = Date.parse('2026-11-23T10:00:00Z');
const extra = { observedGeneration: 3, conditions: [] };

const time = fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: null });
const text = fc.option(fc.string({ maxLength: 20 }), { nil: null });
const count = fc.double({ min: 0, max: 1e9, noNaN: true });

const metric: fc.Arbitrary<MetricEvidence> = fc.record({
  name: fc.constantFrom('errors', 'latency'),
  canaryRequests: count,
  canaryEvents: count,
  primaryRequests: count,
  primaryEvents: count,
  ratio: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
  harm: fc.double({ min: 0, max: 1e300, noNaN: true }),
  safe: fc.double({ min: 0, max: 1e300, noNaN: true }),
  logLr: fc.dictionary(fc.constantFrom('1.25', '2', '100'), fc.array(fc.oneof(fc.double().filter((x) => !Object.is(x, -0)), fc.constant(-Infinity)), { maxLength: 4 })),
});

const state: fc.Arbitrary<CanaryState> = fc.record({
  phase: fc.constantFrom('Initializing', 'Ready', 'Progressing', 'Paused', 'Promoting', 'Succeeded', 'Failed'),
  revision: text,
  lastPromotedRevision: text,
  lastFailedRevision: text,
  canaryWeight: fc.integer({ min: 0, max: 100 }),
  step: fc.integer({ min: -1, max: 20 }),
  runStartedAt: time,
  stepStartedAt: time,
  analyzedUntil: time,
  progressAt: time,
  pausedBy: fc.constantFrom(null, 'user', 'gate', 'step-gate', 'window', 'no-data', 'metrics-unavailable', 'shared-incident', 'limit', 'confirmation'),
  pausedAt: time,
  userPaused: fc.boolean(),
  evidence: fc.option(fc.record({
    metrics: fc.array(metric, { maxLength: 3 }),
    intervals: fc.nat(1000),
    noDataStreak: fc.nat(10),
    failedChecks: fc.nat(10),
    measuredMs: fc.nat(10_000_000),
    rollbackAt: fc.option(fc.double({ min: 1, max: 1e6, noNaN: true }), { nil: null }),
  }), { nil: null }),
  handledRequest: text,
  message: fc.string({ maxLength: 40 }),
  hooks: fc.record({
    preRolloutPassed: fc.boolean(),
    confirmed: fc.boolean(),
    confirmPolls: fc.nat(100),
    confirmNextAt: time,
    rolloutCalledFor: time,
    rolloutCountedTo: time,
    rolloutFailures: fc.nat(10),
    lastFailure: text,
  }),
});

/** What the API server hands back: the status after a trip through JSON. */
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

void describe('Canary status converters', () => {
  void it('round-trips every state through the status as the API server stores it', () => {
    fc.assert(fc.property(state, (s) => {
      const status = parseStatus(overTheWire(toStatus(s, extra)));
      assert.ok(status !== null, 'the written status parses');
      assert.deepEqual(fromStatus(status), structuredClone(s));
    }), { numRuns: 300 });
  });

  void it('writes times as RFC3339 and reads them back in milliseconds', () => {
    const status = toStatus(stateAt({ runStartedAt: t0 + 123 }), extra);
    assert.equal(status.runStartedAt, '2026-11-23T10:00:00.123Z');
    assert.equal(status.stepStartedAt, null);
    assert.equal(fromStatus(status).runStartedAt, t0 + 123);
  });

  void it('writes an infinite e-value as the largest double, never as null', () => {
    const metricWith = { name: 'errors', canaryRequests: 1, canaryEvents: 1, primaryRequests: 1, primaryEvents: 0, ratio: Infinity, harm: Infinity, safe: 0, logLr: { '2': [Infinity, -Infinity, Number.NaN] } };
    const status = parseStatus(overTheWire(toStatus(stateAt({ evidence: { metrics: [metricWith], intervals: 1, noDataStreak: 0, failedChecks: 0, measuredMs: 60_000, rollbackAt: 40 } }), extra)));
    const back = fromStatus(status!).evidence!.metrics[0]!;
    assert.equal(back.harm, Number.MAX_VALUE);
    assert.equal(back.ratio, null);
    assert.deepEqual(back.logLr['2'], [Infinity, -Infinity, Number.NaN]);
  });

  void it('reads an empty or missing status as a Canary that has not started', () => {
    const fresh = fromStatus(parseStatus(undefined)!);
    assert.equal(fresh.phase, 'Initializing');
    assert.equal(fresh.step, -1);
    assert.equal(fresh.canaryWeight, 0);
    assert.equal(fresh.evidence, null);
    assert.deepEqual(parseStatus({}), canaryStatusSchema.parse({}));
  });

  void it('numbers steps from 1 ("2/3"), null and "-" when no step is in progress', () => {
    const at = toStatus(stateAt({ step: 1 }), { ...extra, steps: 3 });
    assert.equal(at.step, 2);
    assert.equal(at.stepText, '2/3');
    const idle = toStatus(stateAt({ phase: 'Succeeded', step: -1 }), { ...extra, steps: 3 });
    assert.equal(idle.step, null);
    assert.equal(idle.stepText, '-');
    assert.equal(toStatus(stateAt({ step: 0 }), extra).stepText, '1', 'without the number of steps, only the step');
  });

  void it('reads a status written with 0-based steps one step back, never ahead', () => {
    assert.equal(fromStatus(parseStatus({ phase: 'Progressing', step: 2 })!).step, 1);
    assert.equal(fromStatus(parseStatus({ phase: 'Progressing', step: 0 })!).step, -1);
    assert.equal(fromStatus(parseStatus({ phase: 'Ready', step: -1 })!).step, -1);
  });

  void it('packs the running sums one line per key, exactly, and reads the lists older statuses wrote', () => {
    const sums = [0.1, -3.25, 1e-300, Infinity, -Infinity, 699.9999999999];
    const evidence = { metrics: [{ ...metricOf('errors'), logLr: { rel: sums, slo: [] } }], intervals: 2, noDataStreak: 0, failedChecks: 0, measuredMs: 120_000, rollbackAt: 40 };
    const status = parseStatus(overTheWire(toStatus(stateAt({ evidence }), extra)))!;
    const written = status.evidence!.metrics[0]!.logLr;
    assert.equal(typeof written['rel'], 'string');
    assert.ok(!JSON.stringify(status.evidence).includes('-3.25'), 'no raw floats in status');
    assert.deepEqual(fromStatus(status).evidence!.metrics[0]!.logLr['rel'], sums);
    const older = parseStatus({ evidence: { intervals: 1, noDataStreak: 0, failedChecks: 0, metrics: [{ ...metricOf('errors'), logLr: { rel: [0.5, 'Infinity'] } }] } })!;
    assert.deepEqual(fromStatus(older).evidence!.metrics[0]!.logLr['rel'], [0.5, Infinity]);
  });

  void it('adds numbers a person can read to each metric\'s evidence: the way to the rollback threshold and the rates', () => {
    const metric = { ...metricOf('latency'), canaryRequests: 1204, canaryEvents: 45, primaryRequests: 9800, primaryEvents: 33, ratio: 11, harm: Math.sqrt(40) };
    const status = toStatus(stateAt({ evidence: { metrics: [metric], intervals: 4, noDataStreak: 0, failedChecks: 0, measuredMs: 240_000, rollbackAt: 40 } }), extra);
    const written = status.evidence!.metrics[0]!;
    assert.equal(written.towardRollback, 0.5, 'half way on the scale evidence grows on');
    assert.equal(written.summary, 'canary 3.74% of 1,204, primary 0.34% of 9,800 (about 11×)');
    assert.equal(status.evidence!.measuredMs, 240_000);
  });

  void it('refuses a hand-edited status that does not fit the schema', () => {
    assert.equal(parseStatus({ phase: 'Exploding' }), null);
    assert.equal(parseStatus({ canaryWeight: 140 }), null);
    assert.equal(parseStatus({ runStartedAt: 'yesterday' }), null);
  });

  void it('keeps a condition transition time while its status stays the same', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Initializing', message: '' }, t0);
    const same = setCondition(first, { type: 'Ready', status: 'False', reason: 'Waiting', message: 'still' }, t0 + 60_000);
    assert.equal(same[0]?.lastTransitionTime, new Date(t0).toISOString());
    assert.equal(same[0]?.reason, 'Waiting');
    const flipped = setCondition(same, { type: 'Ready', status: 'True', reason: 'Ready', message: '' }, t0 + 120_000);
    assert.equal(flipped[0]?.lastTransitionTime, new Date(t0 + 120_000).toISOString());
    const more = setCondition(flipped, { type: 'Paused', status: 'False', reason: 'NotPaused', message: '' }, t0);
    assert.deepEqual(more.map((c) => c.type), ['Ready', 'Paused']);
  });
});

void describe('user requests on the Canary', () => {
  const withAnnotation = (value?: string) => ({ metadata: value === undefined ? {} : { annotations: { [requestAnnotation]: value } } });

  void it('reads a promote request written by the CLI', () => {
    assert.deepEqual(readRequest(withAnnotation('{"id":"6f1c","verb":"promote"}')), { id: '6f1c', verb: 'promote' });
  });

  void it('has no request when the annotation is absent', () => {
    assert.equal(readRequest(withAnnotation()), null);
    assert.deepEqual(parseRequest(withAnnotation()), { kind: 'none' });
  });

  void it('treats broken JSON or an unknown verb as no request, but says why', () => {
    assert.equal(readRequest(withAnnotation('{promote')), null);
    const broken = parseRequest(withAnnotation('{promote'));
    assert.equal(broken.kind, 'invalid');
    const unknown = parseRequest(withAnnotation('{"id":"1","verb":"launch"}'));
    assert.ok(unknown.kind === 'invalid' && unknown.message.includes('verb'), JSON.stringify(unknown));
  });
});

function metricOf(name: string): MetricEvidence {
  return { name, canaryRequests: 100, canaryEvents: 1, primaryRequests: 900, primaryEvents: 9, ratio: 1, harm: 1, safe: 1, logLr: {} };
}

function stateAt(overrides: Partial<CanaryState>): CanaryState {
  return {
    phase: 'Progressing', revision: 'abc', lastPromotedRevision: null, lastFailedRevision: null, canaryWeight: 10, step: 0,
    runStartedAt: t0, stepStartedAt: null, analyzedUntil: null, progressAt: t0, pausedBy: null, pausedAt: null, userPaused: false,
    evidence: null, handledRequest: null, message: 'step 1', hooks: noHookProgress(), ...overrides,
  };
}
