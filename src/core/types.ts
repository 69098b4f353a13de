// The vocabulary of the pure core. Times are milliseconds since the epoch (numbers), durations
// are milliseconds, weights are integer percentages of requests sent to the canary (0..100).

/** Lifecycle of a Canary; `status.phase`. */
export type Phase = 'Initializing' | 'Ready' | 'Progressing' | 'Paused' | 'Promoting' | 'Succeeded' | 'Failed';

/** Why a Canary is paused (`Paused` phase). Human causes wait for a person; the others clear themselves. */
export type PauseCause =
  | 'user' // `fledge pause`
  | 'gate' // manual-gate: waiting for `fledge promote` before promotion
  | 'step-gate' // manual strategy: waiting for `fledge resume`/`promote` before each step
  | 'window' // outside the deployment window: no traffic moves
  | 'no-data' // no canary data for N intervals
  | 'metrics-unavailable' // Prometheus unreachable or erroring
  | 'shared-incident' // primary breaks the SLO too
  | 'limit' // no data or metrics errors past the pause limit: traffic back on the primary, waiting for a person
  | 'confirmation' // the confirm-promotion hook has not answered 2xx yet (clears itself; aborted past its timeout)
  | 'route'; // the route's implementation has not accepted it (clears itself; rolled back at the progress deadline)

/** A counted event per request; the analysis templates define one query per event. */
export type EventName = 'failures' | 'slow';

/** Counts over one interval for one side (canary or primary). Counts may be non-integers (Prometheus extrapolates). */
export interface Counts {
  readonly requests: number;
  readonly events: Readonly<Record<EventName, number>>;
  /** Extra count metrics (a template's `metrics:`), by name: events, and requests when the metric counts its own. */
  readonly extra?: Readonly<Record<string, ExtraCounts>>;
  /** Gauge values (a template's `checks:`), by name; null when the query had no data. Measured on the canary. */
  readonly gauges?: Readonly<Record<string, number | null>>;
  /** Display values for humans and for the threshold judge; absent when Prometheus had none. */
  readonly successRate?: number; // percent, 0..100
  readonly p99Ms?: number;
}

/** One extra metric's counts over an interval; `requests` absent: the side's requests. */
export interface ExtraCounts {
  readonly events: number;
  readonly requests?: number;
}

/** A measurement of one side: a value, an honest "nothing there", or an error. Never thrown. */
export type Sample =
  | { readonly kind: 'value'; readonly counts: Counts }
  | { readonly kind: 'no-data' }
  | { readonly kind: 'error'; readonly message: string };

/** Both sides over the same interval [start, end). */
export interface IntervalMeasurement {
  readonly start: number;
  readonly end: number;
  readonly canary: Sample;
  readonly primary: Sample;
}

/** One judged metric, as data: no code branches on its name. */
export interface MetricPolicy {
  readonly name: string; // e.g. "errors", "latency"
  /** The count judged: a built-in event, or `extra`: the template's extra metric of this name (Counts.extra). */
  readonly event: EventName | 'extra';
  /** Largest acceptable event share of requests under the SLO (0.01 = 1%); 1 for an extra metric (no SLO: only canary against primary). */
  readonly sloRate: number;
  /** Non-inferiority margin for evidence mode: canary rate ≤ rMax × primary rate. */
  readonly rMax: number;
}

export interface JudgePolicy {
  readonly kind: 'sequential' | 'threshold';
  readonly metrics: readonly MetricPolicy[];
  /** Family-wise false-rollback bound for the whole run. */
  readonly alpha: number;
  /** Error bound of the non-inferiority claim that lets evidence mode advance. */
  readonly beta: number;
  /** Guardrail: canary failure ratio at or above this on at least `catastropheMinRequests` in one interval. */
  readonly catastropheRatio: number;
  readonly catastropheMinRequests: number;
  /** Consecutive intervals without canary data before pausing. */
  readonly noDataIntervals: number;
  /** Threshold judge: failed checks (over the run) that trigger rollback. */
  readonly maxFailedChecks: number;
  /** SLO knobs in user units (threshold judge and messages). */
  readonly successRateMin: number; // percent
  readonly latencyP99MaxMs: number;
  /** Gauge guardrails on the canary (a template's `checks:`); absent: none. */
  readonly checks?: readonly GaugeCheckPolicy[];
}

/** A bound on a canary gauge: broken `for` intervals in a row rolls back; no data pauses. */
export interface GaugeCheckPolicy {
  readonly name: string;
  readonly max?: number;
  readonly min?: number;
  readonly for: number;
}

/**
 * The hooks a Canary may name (`fledge.dev/hook-<name>`). Gates: `pre-rollout` (once the canary
 * is ready, before any traffic moves) and `confirm-promotion` (polled before promotion). A
 * guardrail: `rollout` (every interval while the canary has traffic). Outcome notices:
 * `post-rollout` and `rollback` (at least once, through the outbox).
 */
export type HookName = 'pre-rollout' | 'rollout' | 'confirm-promotion' | 'post-rollout' | 'rollback';

/** Which hooks a run calls and how their results count. Absent from a policy: no hooks. */
export interface HookPolicy {
  readonly configured: readonly HookName[];
  /** Rollout-hook failures in a row that roll the run back (≥ 1). */
  readonly rolloutFailureLimit: number;
  /** Waiting for the confirm-promotion hook longer than this aborts the run. */
  readonly confirmTimeoutMs: number;
  /** Time between two confirm-promotion polls after a non-2xx answer. */
  readonly confirmPollMs: number;
}

export interface DeploymentWindow {
  readonly cron: string;
  readonly timezone: string;
}

/** The resolved release policy of one Canary (annotations + strategy + analysis). */
export interface ReleasePolicy {
  /** Canary weights in order, strictly increasing, 0..100. Promotion follows the last one. */
  readonly steps: readonly number[];
  /** Minimum time at each step before advancing. */
  readonly bakeMs: number;
  /** Analysis interval. */
  readonly intervalMs: number;
  /** How long after an interval's end its data is complete (≥ 2 scrape intervals). */
  readonly metricsLagMs: number;
  /**
   * Length of one look (≤ intervalMs): the judge weighs windows this long as their data arrives,
   * each ending on a multiple of it since the epoch. The sequential judge looks every 2 scrape
   * intervals; the threshold judge (Flagger's rule, per interval) once per interval.
   */
  readonly lookMs: number;
  /**
   * While the controller is behind (see controller/look-pace.ts): looks end on multiples of this
   * (the interval) instead of every look, each window still at least a look long. Unset: every look.
   */
  readonly paceMs?: number;
  readonly promotion: 'schedule' | 'evidence';
  readonly pauseBeforeEachStep: boolean;
  readonly manualGate: boolean;
  /** A run that makes no progress for this long is rolled back (unready canary, no data). */
  readonly progressDeadlineMs: number;
  /**
   * A pause for no data or unavailable metrics lasting longer than this moves traffic back to
   * the primary and waits for a person (cause `limit`); it never fails the run.
   */
  readonly pauseLimitMs: number;
  /**
   * A canary without any traffic at the progress deadline: roll back, or pause at the promotion
   * gate (cause `gate`) for a person to promote or abort.
   */
  readonly onNoData: 'rollback' | 'pause';
  /** Waiting at the manual promotion gate longer than this aborts the run; null = wait forever. */
  readonly gateTimeoutMs: number | null;
  readonly window: DeploymentWindow | null;
  readonly judge: JudgePolicy;
  /** Hooks this Canary names; absent or empty: none. */
  readonly hooks?: HookPolicy;
  /**
   * A/B (`fledge.dev/match`, as written): during a run only requests matching it reach the canary,
   * so steps are checkpoints whose weights the unmatched traffic never sees. Absent: split by weight.
   */
  readonly abMatch?: string;
}

/** Evidence for one metric, accumulated over the run (never reset within a run). */
export interface MetricEvidence {
  readonly name: string;
  readonly canaryRequests: number;
  readonly canaryEvents: number;
  readonly primaryRequests: number;
  readonly primaryEvents: number;
  /** Estimated canary rate ÷ primary rate over the run; null when undefined. */
  readonly ratio: number | null;
  /** e-value that the canary is worse (harm); rollback at M/α. */
  readonly harm: number;
  /** e-value that the canary is no worse than rMax × primary (evidence mode); per step. */
  readonly safe: number;
  /** Internal running log-likelihood ratios, one per alternative; opaque to callers. */
  readonly logLr: Readonly<Record<string, readonly number[]>>;
}

export interface Evidence {
  readonly metrics: readonly MetricEvidence[];
  readonly intervals: number;
  readonly noDataStreak: number;
  readonly failedChecks: number;
  /** Gauge checks: intervals in a row each check's bound was broken (absent: none so far). */
  readonly checkStreaks?: Readonly<Record<string, number>>;
  /** Time (ms) covered by the intervals whose counts were added: the "over 4 minutes" of reasons. */
  readonly measuredMs: number;
  /** The harm e-value that rolls back (M/α) for judges that weigh evidence; null for the threshold judge. */
  readonly rollbackAt: number | null;
}

/** What a judge concludes from the evidence after one more interval. */
export type Verdict =
  /** No reason to stop. `safe`: non-inferiority shown at this step (evidence mode advances only then). */
  | { readonly kind: 'continue'; readonly safe: boolean; readonly reason: string }
  | { readonly kind: 'rollback'; readonly reason: string }
  | { readonly kind: 'pause'; readonly cause: 'no-data' | 'metrics-unavailable' | 'shared-incident'; readonly reason: string };

export interface Assessment {
  readonly evidence: Evidence;
  readonly verdict: Verdict;
}

/** The step being judged, for judges whose tests depend on it. */
export interface JudgeContext {
  readonly canaryWeight: number;
  /** True for the first interval after a step change (evidence mode restarts its "safe" test). */
  readonly newStep: boolean;
  /** Windows (looks) per interval: the no-data streak counts windows, its limit is in intervals. Absent: 1. */
  readonly looksPerInterval?: number;
}

/** A judge folds one interval into the evidence. Pure and deterministic. */
export interface Judge {
  readonly assess: (evidence: Evidence, interval: IntervalMeasurement, context: JudgeContext) => Assessment;
}
