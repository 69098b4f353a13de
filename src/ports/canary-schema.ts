// The Canary custom resource (fledge.dev/v1alpha1): zod schemas of `spec` and `status`.
// The CRD's OpenAPI schema is generated from these (canary-crd.ts), so they cannot drift.
import { z } from 'zod';
import { historySchema } from './history-schema.ts';

export const canaryGroup = 'fledge.dev';
export const canaryVersion = 'v1alpha1';
export const canaryPlural = 'canaries';
export const canaryKind = 'Canary';
export const canaryApiVersion = `${canaryGroup}/${canaryVersion}`;

/** Marks a field whose contents the API server keeps as they are (opaque maps). */
const preserveUnknown = { 'x-kubernetes-preserve-unknown-fields': true } as const;

/** RFC3339 time with milliseconds (what Date#toISOString writes), or null when not set. */
const time = z.iso.datetime({ offset: true }).nullable().default(null);
const count = z.number().int().nonnegative();

export const phaseSchema = z.enum(['Initializing', 'Ready', 'Progressing', 'Paused', 'Promoting', 'Succeeded', 'Failed']);
export const pauseCauseSchema = z.enum(['user', 'gate', 'step-gate', 'window', 'no-data', 'metrics-unavailable', 'shared-incident', 'limit', 'confirmation', 'route']);

/**
 * The e-processes' running log-likelihood sums, one list per key: what a restarted controller
 * needs to go on with the same evidence. Each list is packed as base64 of little-endian float64s
 * (exact, ±Infinity and NaN included) so `kubectl describe` shows one line per key, not one per
 * number. Statuses written before read too: lists of numbers, with ±Infinity and NaN as strings.
 */
const logLrSchema = z
  .record(z.string(), z.union([z.string(), z.array(z.union([z.number(), z.enum(['Infinity', '-Infinity', 'NaN'])]))]))
  .meta(preserveUnknown);

export const metricEvidenceSchema = z.object({
  name: z.string(),
  canaryRequests: z.number().nonnegative(),
  canaryEvents: z.number().nonnegative(),
  primaryRequests: z.number().nonnegative(),
  primaryEvents: z.number().nonnegative(),
  /** Canary rate ÷ primary rate over the run; null when undefined. */
  ratio: z.number().nullable(),
  /** e-value for harm (finite: an infinite e-value is written as the largest double). */
  harm: z.number(),
  safe: z.number(),
  /**
   * For people (derived, ignored on read): how far the harm evidence has come towards the rollback
   * threshold on the scale it grows on — 0 no evidence, 0.5 half way, 1 rolls back. Null without
   * a threshold (threshold judge).
   */
  towardRollback: z.number().nullable().default(null),
  /** For people (derived, ignored on read): "canary 3.7% of 1,204, primary 0.34% of 9,800 (about 11×)". */
  summary: z.string().default(''),
  logLr: logLrSchema,
});

export const evidenceSchema = z.object({
  intervals: count,
  noDataStreak: count,
  failedChecks: count,
  /** Time (ms) the counts cover. */
  measuredMs: z.number().nonnegative().default(0),
  /** The harm e-value that rolls back (M/α); null for the threshold judge. */
  rollbackAt: z.number().nullable().default(null),
  metrics: z.array(metricEvidenceSchema),
  /** Gauge checks (a template's `checks:`): intervals in a row each bound was broken, by check name. */
  checkStreaks: z.record(z.string(), count).optional(),
});

/**
 * The current run's hook progress (docs/hooks.md): kept so that a restarted controller neither
 * asks a gate again nor forgets its answer. Reset by every new run.
 */
export const hookProgressSchema = z.object({
  /** The pre-rollout hook answered 2xx. */
  preRolloutPassed: z.boolean().default(false),
  /** The confirm-promotion hook answered 2xx. */
  confirmed: z.boolean().default(false),
  /** Confirm-promotion polls answered non-2xx so far. */
  confirmPolls: count.default(0),
  /** No confirm-promotion poll before this time. */
  confirmNextAt: time,
  /** Start of the last interval the rollout hook was called for. */
  rolloutCalledFor: time,
  /** The last rollout-hook answer counted (its interval's start). */
  rolloutCountedTo: time,
  /** Rollout-hook failures in a row. */
  rolloutFailures: count.default(0),
  /** The last failed answer of any hook in this run (no URL; bounded). */
  lastFailure: z.string().nullable().default(null),
});

/** metav1.Condition's patterns: a qualified name for `type`, CamelCase (with `_,:`) for `reason`. */
export const conditionTypePattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
export const conditionReasonPattern = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/**
 * A standard metav1.Condition, with its validation: `lastTransitionTime` moves only when `status`
 * does; `observedGeneration` is the Canary's metadata.generation the condition was set for.
 */
export const conditionSchema = z.object({
  type: z.string().min(1).max(316).regex(conditionTypePattern),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().min(1).max(1024).regex(conditionReasonPattern),
  message: z.string().max(32768),
  lastTransitionTime: z.iso.datetime({ offset: true }),
  observedGeneration: z.number().int().nonnegative().optional(),
});

/** Conditions are a map keyed by `type` (server-side apply merges them per type). */
const conditionList = { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] } as const;

/**
 * A release notice waiting for delivery (`status.outbox`). Written in the same status write as
 * the state that decided it; removed once every receiver has it, or dropped (with a warning)
 * when the outbox is full or the entry is older than a day. The Canary's namespace and name
 * complete the notice.
 */
export const outboxEntrySchema = z.object({
  /** Idempotency key: the same on every delivery of this notice, different for every other one. */
  key: z.string().min(1),
  /** When the notice was decided and queued (also the notice's `at`). */
  queuedAt: z.iso.datetime({ offset: true }),
  revision: z.string(),
  phase: z.string(),
  canaryWeight: z.number().int().min(0).max(100),
  /** The Event reason (`NewRevision`, `Promoted`, …). */
  reason: z.string(),
  message: z.string(),
  severity: z.enum(['Normal', 'Warning']),
  /**
   * Set for a notice to an outcome hook (post-rollout, rollback): only that URL gets it, as the
   * hook payload; never Slack or the webhooks. `step` and `evidence` complete the payload.
   */
  hook: z.object({
    name: z.enum(['post-rollout', 'rollback']),
    url: z.string(),
    step: count,
    steps: count,
    evidence: z.array(metricEvidenceSchema.pick({
      canaryRequests: true, canaryEvents: true, primaryRequests: true, primaryEvents: true, ratio: true, harm: true,
    }).extend({ metric: z.string() })),
    /** Per attempt, ms. */
    timeoutMs: count,
  }).nullable().default(null),
  /** Targets as allowed when the notice was decided. */
  slackChannel: z.string().nullable().default(null),
  webhooks: z.array(z.string()).default([]),
});

/**
 * `status.analysis`: the analysis template a run is judged with, pinned when the run starts so
 * every interval of it measures the same quantities (an edit applies to the next run). `spec`
 * is the template as it was (a restart keeps judging with it); `source` names the object.
 */
export const analysisPinSchema = z.object({
  source: z.object({
    kind: z.enum(['AnalysisTemplate', 'ClusterAnalysisTemplate', 'BuiltIn']),
    namespace: z.string().nullable(),
    name: z.string(),
    /** metadata.generation of the object; 0 for a built-in file. */
    generation: count,
  }),
  /** SHA-256 of the spec (hex, first 16 digits): an edit changes it. */
  digest: z.string(),
  /** The run (revision@start) this pin belongs to; "" between runs. */
  run: z.string(),
  /** Digest of a newer version already announced in an Event during this run; null when none. */
  announced: z.string().nullable().default(null),
  /** The template object's spec as the run started; {} for a built-in (read from the catalog). */
  spec: z.record(z.string(), z.unknown()),
});

/**
 * `status`: the durable state of a Canary. Every field has a default so that an empty (or
 * older) status reads as a Canary that has not started yet.
 */
export const canaryStatusSchema = z.object({
  phase: phaseSchema.default('Initializing'),
  /** Revision the current (or last) run is about. */
  revision: z.string().nullable().default(null),
  lastPromotedRevision: z.string().nullable().default(null),
  lastFailedRevision: z.string().nullable().default(null),
  /** Percent of requests the router was last told to send to the canary. */
  canaryWeight: z.number().int().min(0).max(100).default(0),
  /**
   * The current step, counted from 1 (step 1 is the first weight of spec.steps); null when no step
   * is in progress. A status written by an older release (0-based, -1 idle) reads one step back:
   * the run repeats a step, never skips one.
   */
  step: z.number().int().min(-1).nullable().default(null),
  /** For people and kubectl's STEP column: "2/3" (1-based, of the steps), "-" when no step is in progress. */
  stepText: z.string().default('-'),
  runStartedAt: time,
  stepStartedAt: time,
  analyzedUntil: time,
  progressAt: time,
  pausedBy: pauseCauseSchema.nullable().default(null),
  /** When the current pause began. */
  pausedAt: time,
  userPaused: z.boolean().default(false),
  evidence: evidenceSchema.nullable().default(null),
  /** Id of the last user request acted on. */
  handledRequest: z.string().nullable().default(null),
  message: z.string().default(''),
  hooks: hookProgressSchema.default(() => hookProgressSchema.parse({})),
  /** The Canary's own metadata.generation (its spec) this status was written for. */
  observedGeneration: z.number().int().nonnegative().default(0),
  /** The target Deployment's metadata.generation this status was written for (`fledge wait` reads it). */
  targetGeneration: z.number().int().nonnegative().default(0),
  conditions: z.array(conditionSchema).meta(conditionList).default([]),
  /** Notices not yet delivered to every receiver, oldest first (at most 20). */
  outbox: z.array(outboxEntrySchema).default([]),
  /** Number of notices ever queued for this Canary; numbers the outbox keys. */
  noticeSeq: count.default(0),
  /**
   * The looks of the current and the last finished run (history-schema.ts); plotted by `fledge
   * dashboard` and `fledge report`. A record only: one that does not read starts again empty
   * rather than making the whole status unreadable.
   */
  history: historySchema.default(() => historySchema.parse({})).catch(() => historySchema.parse({})),
  /** The analysis template of the current (or last) run, pinned; null before the first reconcile that resolved one. */
  analysis: analysisPinSchema.nullable().default(null),
});

export const targetRefSchema = z.object({
  apiVersion: z.string().default('apps/v1'),
  kind: z.enum(['Deployment']).default('Deployment'),
  name: z.string().min(1),
});

/**
 * `spec`: mirrors the resolved configuration, read-only for people (`kubectl get -o yaml`).
 * Only `targetRef` is typed; the rest is kept as written.
 */
export const canarySpecSchema = z.looseObject({
  targetRef: targetRefSchema.optional(),
});

export type CanaryStatus = z.output<typeof canaryStatusSchema>;
export type CanarySpec = z.output<typeof canarySpecSchema>;
export type Condition = z.output<typeof conditionSchema>;
export type OutboxEntry = z.output<typeof outboxEntrySchema>;
export type AnalysisPin = z.output<typeof analysisPinSchema>;
export type HookProgressStatus = z.output<typeof hookProgressSchema>;
export type MetricEvidenceStatus = z.output<typeof metricEvidenceSchema>;
export type EvidenceStatus = z.output<typeof evidenceSchema>;
