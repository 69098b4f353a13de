// Drives Fledge's real state machine (`decide`, with the real judges behind it) through one run
// in simulated time: the controller looks when `requeueAfterMs` says, measures exactly the
// interval `dueInterval` asks for, and applies the actions to the simulated world at once (the
// canary is ready as soon as it is scaled up; promotion completes one look later).
import { decide } from '../../src/core/decide.ts';
import { dueInterval, lookbackMs } from '../../src/core/schedule.ts';
import { initialState } from '../../src/core/transitions.ts';
import type { Action, CanaryState, Observation, WorkloadView } from '../../src/core/state.ts';
import type { IntervalMeasurement, ReleasePolicy, Sample } from '../../src/core/types.ts';
import type { RunLimits, RunOutcome } from './outcome.ts';
import type { SideReading, World, WindowReading } from './world.ts';

const replicas = 2;
/** Looks beyond this many are a bug in the loop, not a slow policy. */
const maxLooks = 100_000;

function ready(count: number): WorkloadView {
  return { replicas: count, readyReplicas: count, rolledOut: true, stalled: false };
}

function sideSample(side: SideReading, display: { successRate?: number; p99Ms?: number }): Sample {
  // Like the Prometheus adapter: zero requests is no data; display values only when finite.
  if (side.requests === 0) return { kind: 'no-data' };
  const counts = { requests: side.requests, events: { failures: side.failures, slow: side.slow } };
  const successRate = display.successRate;
  const p99Ms = display.p99Ms;
  return {
    kind: 'value',
    counts: {
      ...counts,
      ...(successRate !== undefined && Number.isFinite(successRate) ? { successRate } : {}),
      ...(p99Ms !== undefined && Number.isFinite(p99Ms) ? { p99Ms } : {}),
    },
  };
}

/** The measurement the Prometheus adapter would return for the interval. */
export function measurementOf(reading: WindowReading, span: { start: number; end: number }): IntervalMeasurement {
  if (reading.kind === 'down') {
    const error: Sample = { kind: 'error', message: 'Prometheus unreachable' };
    return { ...span, canary: error, primary: error };
  }
  return {
    ...span,
    canary: sideSample(reading.canary, { successRate: reading.canarySuccessRate, p99Ms: reading.canaryP99Ms }),
    primary: sideSample(reading.primary, {}),
  };
}

interface Cluster {
  targetReplicas: number;
  routed: number;
  primaryRevision: string;
  promoteRequested: string | null;
}

function apply(world: World, cluster: Cluster, actions: readonly Action[], now: number): void {
  for (const action of actions) {
    if (action.kind === 'route') {
      cluster.routed = action.canaryWeight;
      world.setWeight(now, action.canaryWeight);
    } else if (action.kind === 'scale-target') cluster.targetReplicas = action.replicas;
    else if (action.kind === 'promote-primary') cluster.promoteRequested = action.revision;
  }
}

function observe(world: World, input: { state: CanaryState; policy: ReleasePolicy; cluster: Cluster; now: number }): Observation {
  const { state, policy, cluster, now } = input;
  const due = dueInterval(state, policy, now);
  return {
    targetRevision: 'rev-b',
    target: ready(cluster.targetReplicas),
    primary: ready(replicas),
    primaryRevision: cluster.primaryRevision,
    desiredReplicas: replicas,
    routedCanaryWeight: cluster.routed,
    request: null,
    // As the controller asks Prometheus: the window's range and one scrape before it (lookbackMs).
    interval: due === null ? null : measurementOf(world.read({ start: due.start - lookbackMs(policy), end: due.end }, now), due),
  };
}

function finish(world: World, ending: RunOutcome['ending'], end: { at: number; reason: string }): RunOutcome {
  return { ending, decidedAtMs: end.at, ...world.truth(end.at), reason: end.reason };
}

/** One run of `rev-b` replacing `rev-a`, from t = 0 (the new revision appears) to a decision or the horizon. */
export function runFledge(world: World, policy: ReleasePolicy, limits: RunLimits): RunOutcome {
  let state: CanaryState = { ...initialState(), phase: 'Ready', revision: 'rev-a', lastPromotedRevision: 'rev-a', message: '' };
  const cluster: Cluster = { targetReplicas: 0, routed: 0, primaryRevision: 'rev-a', promoteRequested: null };
  let now = 0;
  let promotionStartedAt: number | null = null;
  for (let look = 0; look < maxLooks && now <= limits.horizonMs; look += 1) {
    // Promotion completes one look after it was asked for.
    if (cluster.promoteRequested !== null) cluster.primaryRevision = cluster.promoteRequested;
    const decision = decide(state, observe(world, { state, policy, cluster, now }), policy, now);
    apply(world, cluster, decision.actions, now);
    state = decision.state;
    if (state.phase === 'Failed') return finish(world, 'rollback', { at: now, reason: state.message });
    if (state.phase === 'Promoting') promotionStartedAt ??= now;
    if (state.phase === 'Succeeded') return finish(world, 'promote', { at: promotionStartedAt ?? now, reason: state.message });
    if (decision.requeueAfterMs === null) break;
    now += Math.max(1, decision.requeueAfterMs);
  }
  return finish(world, 'undecided', { at: limits.horizonMs, reason: state.message });
}
