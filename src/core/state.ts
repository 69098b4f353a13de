// The durable state of a Canary (what `status` holds), what reconcile observes, and what
// `decide` returns. Everything needed to resume after a restart lives in CanaryState.
import type { Evidence, HookName, IntervalMeasurement, PauseCause, Phase } from './types.ts';

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
  /** What the current run's hooks answered so far (reset by every new run). */
  readonly hooks: HookProgress;
}

/**
 * A run's hook progress, kept in status so a restarted controller neither asks a gate again nor
 * forgets its answer. Looks are the keys of calls within a run: `0` for pre-rollout, the
 * interval's start (ms) for rollout, the poll number for confirm-promotion.
 */
export interface HookProgress {
  /** The pre-rollout hook answered 2xx for this run. */
  readonly preRolloutPassed: boolean;
  /** The confirm-promotion hook answered 2xx for this run. */
  readonly confirmed: boolean;
  /** Confirm-promotion polls answered non-2xx so far: the look of the next poll. */
  readonly confirmPolls: number;
  /** The next confirm-promotion poll is not made before this time (ms); null: at once. */
  readonly confirmNextAt: number | null;
  /** Start (ms) of the last interval the rollout hook was called for; null: not yet. */
  readonly rolloutCalledFor: number | null;
  /** Look of the last rollout-hook result counted; results up to it are not counted again. */
  readonly rolloutCountedTo: number | null;
  /** Rollout-hook failures in a row. */
  readonly rolloutFailures: number;
  /** The last failed answer of any hook in this run (redacted, bounded); null: none. */
  readonly lastFailure: string | null;
}

/** The answer to one hook call, as the HookRunner reported it (after its retries). */
export interface HookResult {
  readonly hook: HookName;
  /** The call's look within the run (see HookProgress). */
  readonly look: string;
  /** 2xx answered. */
  readonly ok: boolean;
  /** `HTTP 200`, `HTTP 503: <reply excerpt>`, `timed out after 30s`, … (no URL, bounded). */
  readonly detail: string;
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
  /**
   * Replicas the app should run with at full traffic. With an HPA, the size it wants for the
   * primary (its desiredReplicas, within min and max).
   */
  readonly desiredReplicas: number;
  /**
   * An HPA sizes the app: Fledge scales the canary up from zero when a run starts and leaves its
   * size to the HPA after that. Absent: false.
   */
  readonly autoscaled?: boolean;
  /** Canary weight in the TrafficSplit now; null when there is no split yet. */
  readonly routedCanaryWeight: number | null;
  /**
   * Why the route is not in force yet (a Gateway API implementation has not accepted its current
   * generation); null or absent when it is, or the router reports no acceptance (SMI).
   */
  readonly routeNotAccepted?: string | null;
  readonly request: UserRequest | null;
  /** The interval `dueInterval` asked for, measured; null when none was due. */
  readonly interval: IntervalMeasurement | null;
  /** Answers of this run's hook calls that arrived so far (any order); absent: none. */
  readonly hooks?: readonly HookResult[];
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
  | 'RouteNotAccepted'
  | 'PauseLimitReached'
  | 'GateTimedOut'
  | 'HookPassed'
  | 'HookFailed'
  | 'ConfirmationPending'
  | 'PromotionConfirmed';

/** Side effects, in order. Reconcile applies them one by one and stops at the first failure. */
export type Action =
  /** Set the split to canary `canaryWeight`, primary `100 - canaryWeight`. */
  | { readonly kind: 'route'; readonly canaryWeight: number }
  /** Scale the target (canary) Deployment. */
  | { readonly kind: 'scale-target'; readonly replicas: number }
  /** Copy the target's template (and tracked ConfigMaps/Secrets) to the primary. Idempotent. */
  | { readonly kind: 'promote-primary'; readonly revision: string }
  /** Start a gate or guardrail hook call; the HookRunner runs it once per (run, hook, look), in the background. */
  | { readonly kind: 'call-hook'; readonly hook: 'pre-rollout' | 'rollout' | 'confirm-promotion'; readonly look: string }
  /** Queue an outcome notice for an outcome hook (the outbox delivers it at least once). */
  | { readonly kind: 'notify-hook'; readonly hook: 'post-rollout' | 'rollback' }
  | { readonly kind: 'event'; readonly severity: 'Normal' | 'Warning'; readonly reason: EventReason; readonly message: string };

export interface Decision {
  readonly state: CanaryState;
  readonly actions: readonly Action[];
  /** When to reconcile again at the latest; null = only on change. */
  readonly requeueAfterMs: number | null;
}
