// The situations the decision bench puts each policy in. A scenario says, as a function of
// simulated time since the new revision appeared, how much traffic arrives, how often each
// version fails, how slow each version is, and whether Prometheus answers. Conditions are
// piecewise constant; `changes` lists the times at which they change.
import { latencyModel, type LatencyModel, type LatencyProfile } from './latency.ts';

export const minuteMs = 60_000;
/** The SLO latency edge (fledge.dev/latency-p99-max default, a Linkerd bucket edge). */
export const latencyEdgeMs = 500;

/** A healthy service: median 60 ms, p99 ≈ 245 ms, about 0.02% of requests above 500 ms. */
export const baseLatency: LatencyProfile = { medianMs: 60, sigma: 0.6, tailShare: 0, tailAddMs: 0 };
/** "+50% everywhere": every request takes 1.5× as long (p99 ≈ 365 ms, still under 500 ms). */
export const slowerLatency: LatencyProfile = { ...baseLatency, medianMs: 90 };
/** "1% of requests +500 ms": the tail alone pushes p99 just past 500 ms. */
export const tailLatency: LatencyProfile = { ...baseLatency, tailShare: 0.01, tailAddMs: 500 };

export interface Conditions {
  /** Multiplier of the cell's request rate (0 = no traffic). */
  readonly traffic: number;
  readonly canaryFailure: number;
  readonly primaryFailure: number;
  readonly canaryLatency: LatencyModel;
  readonly primaryLatency: LatencyModel;
}

export type IncidentKind = 'blip' | 'idle' | 'outage';

export interface Incident {
  readonly kind: IncidentKind;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ScenarioSpec {
  readonly id: string;
  readonly label: string;
  readonly baseFailure: number;
  /** Canary failure probability ÷ primary's (capped at 1). */
  readonly failureFactor: number;
  readonly canaryLatency: LatencyProfile;
  readonly incident: Incident | null;
}

export interface Scenario extends ScenarioSpec {
  /**
   * success-rate-min for every policy. 99% (the Flagger example's) except at a 1% base failure
   * rate, where a healthy service sits exactly on a 99% threshold and half of all checks of
   * identical versions would fail: every policy would be judging a misconfiguration. 98% there.
   */
  readonly successRateMin: number;
  readonly changes: readonly number[];
  conditionsAt(t: number): Conditions;
  prometheusDown(t: number): boolean;
}

/** Incidents start two minutes into the run (weight 5–10%), when every policy is mid-analysis. */
const incidentStartMs = 2 * minuteMs;
/** Both versions fail this often during a shared dependency blip. */
const blipFailure = 0.05;

function incident(kind: IncidentKind, minutes: number): Incident {
  return { kind, fromMs: incidentStartMs, toMs: incidentStartMs + minutes * minuteMs };
}

function spec(id: string, label: string, overrides: Partial<ScenarioSpec>): ScenarioSpec {
  return { id, label, baseFailure: 0.001, failureFactor: 1, canaryLatency: baseLatency, incident: null, ...overrides };
}

function percent(rate: number): string {
  return `${rate * 100}%`;
}

/** Every scenario of the issue, in table order. */
export function scenarioSpecs(): ScenarioSpec[] {
  const specs: ScenarioSpec[] = [];
  for (const base of [0.001, 0.01]) specs.push(spec(`aa-${percent(base)}`, `A/A, base ${percent(base)}`, { baseFailure: base }));
  for (const base of [0.001, 0.01]) {
    for (const factor of [2, 5, 10, 50, 500]) {
      specs.push(spec(`errors-${factor}x-${percent(base)}`, `errors ${factor}×, base ${percent(base)}`, { baseFailure: base, failureFactor: factor }));
    }
  }
  specs.push(spec('latency-slower', 'latency +50% everywhere', { canaryLatency: slowerLatency }));
  specs.push(spec('latency-tail', 'latency: 1% of requests +500 ms', { canaryLatency: tailLatency }));
  specs.push(spec('shared-blip', 'shared dependency blip: both fail 5% for 6 min', { incident: incident('blip', 6) }));
  specs.push(spec('no-traffic', 'no traffic for 5 min', { incident: incident('idle', 5) }));
  specs.push(spec('prometheus-outage', 'Prometheus outage for 3 min', { incident: incident('outage', 3) }));
  return specs;
}

function inside(window: Incident | null, kind: IncidentKind, t: number): boolean {
  return window !== null && window.kind === kind && t >= window.fromMs && t < window.toMs;
}

/** A scenario with its latency models computed and its conditions as a function of time. */
export function buildScenario(scenarioSpec: ScenarioSpec): Scenario {
  const primaryLatency = latencyModel(baseLatency, latencyEdgeMs);
  const canaryLatency = latencyModel(scenarioSpec.canaryLatency, latencyEdgeMs);
  const base = scenarioSpec.baseFailure;
  const canaryFailure = Math.min(1, base * scenarioSpec.failureFactor);
  const window = scenarioSpec.incident;
  const steady: Conditions = { traffic: 1, canaryFailure, primaryFailure: base, canaryLatency, primaryLatency };
  const blip: Conditions = { ...steady, canaryFailure: Math.max(canaryFailure, blipFailure), primaryFailure: Math.max(base, blipFailure) };
  const idle: Conditions = { ...steady, traffic: 0 };
  return {
    ...scenarioSpec,
    successRateMin: base >= 0.01 ? 98 : 99,
    changes: window === null ? [] : [window.fromMs, window.toMs],
    conditionsAt: (t) => {
      if (inside(window, 'blip', t)) return blip;
      if (inside(window, 'idle', t)) return idle;
      return steady;
    },
    prometheusDown: (t) => inside(window, 'outage', t),
  };
}
