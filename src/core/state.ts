// The durable state of a Canary (what `status` holds), what reconcile observes, and what
// `decide` returns. Everything needed to resume after a restart lives in CanaryState.
import type { Evidence, IntervalMeasurement, PauseCause, Phase } from './types.ts';

export interface CanaryState {
  readonly phase: Phase;
  /** Revision the current (or last) run is about; null before the first one. */
  readonly revision: string | null;
  readonly lastPromotedRevision: string | null;
  readonly lastFailedRevision: string | null;
  /** Weight the router was last told to give the canary. */
  readonly canaryWeight: number;
  /** Index into policy.steps of the current step; -1 before the first step of a run. */
  readonly step: number;
  readonly runStartedAt: number | null;
  readonly stepStartedAt: number | null;
  /** End of the last judged interval; null until traffic first reaches the canary. */
  readonly analyzedUntil: number | null;
  /** Last time the run made progress (step, data, readiness); drives the progress deadline. */
  readonly progressAt: number | null;
  readonly pausedBy: PauseCause | null;
  /** When the current pause began (set by decide when pausedBy changes); null when not paused. */
  readonly pausedAt: number | null;
  /** `fledge pause` is in force (survives other pauses ending). */
  readonly userPaused: boolean;
  readonly evidence: Evidence | null;
  /** The id of the last user request acted on, so a request is handled once. */
  readonly handledRequest: string | null;
  /** Human-readable reason for the current state. */
  readonly message: string;
}

/** A Deployment as the core needs to see it. */
export interface WorkloadView {
  /** spec.replicas */
  readonly replicas: number;
  readonly readyReplicas: number;
  /** The rollout of the current generation is complete (observedGeneration, updatedReplicas). */
  readonly rolledOut: boolean;
  /** The Deployment reports ProgressDeadlineExceeded. */
  readonly stalled: boolean;
}

export type RequestVerb = 'promote' | 'abort' | 'retry' | 'pause' | 'resume';

/** A request from a person (`fledge promote` …), read from the Canary. */
export interface UserRequest {
  readonly id: string;
  readonly verb: RequestVerb;
}

/** What reconcile read of the world, summarised. */
export interface Observation {
  /** Revision of the target Deployment now (pod template + tracked ConfigMaps/Secrets). */
  readonly targetRevision: string;
  /** The user's Deployment, whose pods are the canary. */
  readonly target: WorkloadView;
  /** `<name>-primary`; null when it does not exist (yet). */
  readonly primary: WorkloadView | null;
  /** Revision the primary's template was copied from; null when unknown. */
  readonly primaryRevision: string | null;
  /** Replicas the app should run with at full traffic. */
  readonly desiredReplicas: number;
  /** Canary weight in the TrafficSplit now; null when there is no split yet. */
  readonly routedCanaryWeight: number | null;
  readonly request: UserRequest | null;
  /** The interval `dueInterval` asked for, measured; null when none was due. */
  readonly interval: IntervalMeasurement | null;
}

export type EventReason =
  | 'Initialized'
  | 'Synced'
  | 'NewRevision'
  | 'Superseded'
  | 'CanaryScaledUp'
  | 'CanaryNotReady'
  | 'StepAdvanced'
  | 'AnalysisPassed'
  | 'Paused'
  | 'Resumed'
  | 'WaitingForPromotion'
  | 'OutsideWindow'
  | 'MetricsUnavailable'
  | 'NoCanaryData'
  | 'SharedIncident'
  | 'Promoting'
  | 'Promoted'
  | 'RolledBack'
  | 'ProgressDeadlineExceeded'
  | 'Aborted'
  | 'RetryRequested'
  | 'RequestRefused'
  | 'SkippedFailedRevision'
  | 'DriftRepaired'
  | 'PauseLimitReached'
  | 'GateTimedOut';

/** Side effects, in order. Reconcile applies them one by one and stops at the first failure. */
export type Action =
  /** Set the split to canary `canaryWeight`, primary `100 - canaryWeight`. */
  | { readonly kind: 'route'; readonly canaryWeight: number }
  /** Scale the target (canary) Deployment. */
  | { readonly kind: 'scale-target'; readonly replicas: number }
  /** Copy the target's template (and tracked ConfigMaps/Secrets) to the primary. Idempotent. */
  | { readonly kind: 'promote-primary'; readonly revision: string }
  | { readonly kind: 'event'; readonly severity: 'Normal' | 'Warning'; readonly reason: EventReason; readonly message: string };

export interface Decision {
  readonly state: CanaryState;
  readonly actions: readonly Action[];
  /** When to reconcile again at the latest; null = only on change. */
  readonly requeueAfterMs: number | null;
}
