// Converts between the core's CanaryState (times in ms) and the Canary's `status` (RFC3339).
// Pure functions: fromStatus(toStatus(state, extra)) equals state for every state the core
// makes, except that an infinite e-value reads back as the largest finite double. Derived fields
// for people (stepText, an evidence's towardRollback and summary) are written, never read back.
import { countsLine, towardThreshold } from '../core/judge/explain.ts';
import type { CanaryState, HookProgress } from '../core/state.ts';
import type { Evidence, MetricEvidence } from '../core/types.ts';
import { canaryStatusSchema } from './canary-schema.ts';
import type { HistoryStatus } from './history-schema.ts';
import type { AnalysisPin, CanaryStatus, Condition, EvidenceStatus, HookProgressStatus, MetricEvidenceStatus, OutboxEntry } from './canary-schema.ts';

/** What status holds beyond CanaryState. The outbox and history are empty, noticeSeq and targetGeneration 0 when not given. */
export interface StatusExtra {
  /** The Canary's own metadata.generation. */
  readonly observedGeneration: number;
  /** How many steps the release has (spec.steps), for `stepText`; unknown: only the step is shown. */
  readonly steps?: number;
  /** The target Deployment's metadata.generation. */
  readonly targetGeneration?: number;
  readonly conditions: readonly Condition[];
  readonly outbox?: readonly OutboxEntry[];
  readonly noticeSeq?: number;
  readonly history?: HistoryStatus;
  /** The pinned analysis template (status.analysis); null when none. */
  readonly analysis?: AnalysisPin | null;
}

function toTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function fromTime(text: string | null): number | null {
  if (text === null) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** Kubernetes numbers are finite: clamp e-values. */
function finite(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, value));
}

type LogLrValue = number | 'Infinity' | '-Infinity' | 'NaN';

/** A list of doubles as base64 of little-endian float64s: exact, and one line in `kubectl describe`. */
export function packNumbers(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 8);
  values.forEach((value, i) => bytes.writeDoubleLE(value, i * 8));
  return bytes.toString('base64');
}

export function unpackNumbers(packed: string): number[] {
  const bytes = Buffer.from(packed, 'base64');
  return Array.from({ length: Math.floor(bytes.length / 8) }, (_, i) => bytes.readDoubleLE(i * 8));
}

/** Reads either form: packed (now) or a list of numbers (statuses written by older releases). */
function decodeList(value: string | readonly LogLrValue[]): number[] {
  return typeof value === 'string' ? unpackNumbers(value) : value.map((v) => (typeof v === 'number' ? v : Number(v)));
}

function packRecord(record: Readonly<Record<string, readonly number[]>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, values]) => [key, packNumbers(values)]));
}

function metricToStatus(metric: MetricEvidence, rollbackAt: number | null): MetricEvidenceStatus {
  return {
    name: metric.name,
    canaryRequests: metric.canaryRequests,
    canaryEvents: metric.canaryEvents,
    primaryRequests: metric.primaryRequests,
    primaryEvents: metric.primaryEvents,
    ratio: metric.ratio === null || !Number.isFinite(metric.ratio) ? null : metric.ratio,
    harm: finite(metric.harm),
    safe: finite(metric.safe),
    towardRollback: rounded(towardThreshold(metric.harm, rollbackAt)),
    summary: countsLine(metric),
    logLr: packRecord(metric.logLr),
  };
}

/** Three decimals are plenty for people; an infinite e-value is far past the threshold. */
function rounded(value: number | null): number | null {
  if (value === null) return null;
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : Number.MAX_VALUE;
}

function metricFromStatus(metric: MetricEvidenceStatus): MetricEvidence {
  const { towardRollback: _toward, summary: _summary, logLr, ...counts } = metric;
  return { ...counts, logLr: Object.fromEntries(Object.entries(logLr).map(([key, value]) => [key, decodeList(value)])) };
}

function evidenceToStatus(evidence: Evidence | null): EvidenceStatus | null {
  if (evidence === null) return null;
  return {
    intervals: evidence.intervals,
    noDataStreak: evidence.noDataStreak,
    failedChecks: evidence.failedChecks,
    measuredMs: evidence.measuredMs,
    rollbackAt: evidence.rollbackAt === null ? null : finite(evidence.rollbackAt),
    metrics: evidence.metrics.map((metric) => metricToStatus(metric, evidence.rollbackAt)),
    ...(evidence.checkStreaks === undefined ? {} : { checkStreaks: { ...evidence.checkStreaks } }),
  };
}

function evidenceFromStatus(evidence: EvidenceStatus): Evidence {
  const { checkStreaks, ...rest } = evidence;
  return { ...rest, metrics: evidence.metrics.map(metricFromStatus), ...(checkStreaks === undefined ? {} : { checkStreaks }) };
}

function hooksToStatus(hooks: HookProgress): HookProgressStatus {
  return {
    ...hooks,
    confirmNextAt: toTime(hooks.confirmNextAt),
    rolloutCalledFor: toTime(hooks.rolloutCalledFor),
    rolloutCountedTo: toTime(hooks.rolloutCountedTo),
  };
}

function hooksFromStatus(hooks: HookProgressStatus): HookProgress {
  return {
    ...hooks,
    confirmNextAt: fromTime(hooks.confirmNextAt),
    rolloutCalledFor: fromTime(hooks.rolloutCalledFor),
    rolloutCountedTo: fromTime(hooks.rolloutCountedTo),
  };
}

/** "2/3" (1-based) or "-" when no step is in progress: the one step numbering people see. */
export function stepText(index: number, steps?: number): string {
  if (index < 0) return '-';
  return steps === undefined || steps <= 0 ? String(index + 1) : `${index + 1}/${steps}`;
}

/** The status to write for `state`. */
export function toStatus(state: CanaryState, extra: StatusExtra): CanaryStatus {
  return {
    phase: state.phase,
    revision: state.revision,
    lastPromotedRevision: state.lastPromotedRevision,
    lastFailedRevision: state.lastFailedRevision,
    canaryWeight: state.canaryWeight,
    step: state.step < 0 ? null : state.step + 1,
    stepText: stepText(state.step, extra.steps),
    runStartedAt: toTime(state.runStartedAt),
    stepStartedAt: toTime(state.stepStartedAt),
    analyzedUntil: toTime(state.analyzedUntil),
    progressAt: toTime(state.progressAt),
    pausedBy: state.pausedBy,
    pausedAt: toTime(state.pausedAt),
    userPaused: state.userPaused,
    evidence: evidenceToStatus(state.evidence),
    handledRequest: state.handledRequest,
    message: state.message,
    hooks: hooksToStatus(state.hooks),
    observedGeneration: extra.observedGeneration,
    targetGeneration: extra.targetGeneration ?? 0,
    conditions: [...extra.conditions],
    outbox: [...(extra.outbox ?? [])],
    noticeSeq: extra.noticeSeq ?? 0,
    history: extra.history ?? { current: null, last: null },
    analysis: extra.analysis ?? null,
  };
}

/** The core's state from a parsed status (see parseStatus). */
export function fromStatus(status: CanaryStatus): CanaryState {
  const evidence = status.evidence;
  return {
    phase: status.phase,
    revision: status.revision,
    lastPromotedRevision: status.lastPromotedRevision,
    lastFailedRevision: status.lastFailedRevision,
    canaryWeight: status.canaryWeight,
    step: status.step === null || status.step < 1 ? -1 : status.step - 1,
    runStartedAt: fromTime(status.runStartedAt),
    stepStartedAt: fromTime(status.stepStartedAt),
    analyzedUntil: fromTime(status.analyzedUntil),
    progressAt: fromTime(status.progressAt),
    pausedBy: status.pausedBy,
    pausedAt: fromTime(status.pausedAt),
    userPaused: status.userPaused,
    evidence: evidence === null ? null : evidenceFromStatus(evidence),
    handledRequest: status.handledRequest,
    message: status.message,
    hooks: hooksFromStatus(status.hooks),
  };
}

/**
 * Parses a status as read from the API. Absent or empty → every field at its default (a
 * Canary that has not started); invalid (hand-edited) → null, and the caller decides.
 */
export function parseStatus(raw: unknown): CanaryStatus | null {
  const result = canaryStatusSchema.safeParse(raw ?? {});
  return result.success ? result.data : null;
}

/**
 * Sets one condition in a list, keeping `lastTransitionTime` when its status did not change
 * (metav1.Condition semantics). Returns a new list; `now` in ms.
 */
export function setCondition(
  conditions: readonly Condition[],
  condition: Omit<Condition, 'lastTransitionTime'>,
  now: number,
): Condition[] {
  const previous = conditions.find((c) => c.type === condition.type);
  const lastTransitionTime =
    previous !== undefined && previous.status === condition.status ? previous.lastTransitionTime : new Date(now).toISOString();
  // Named fields, not a spread: this spread saw conditions of many shapes, and V8 then gives every
  // object it makes a map of its own (about 240 bytes more per condition, cached or held).
  const { type, status, reason, message, observedGeneration } = condition;
  const next: Condition = observedGeneration === undefined
    ? { type, status, reason, message, lastTransitionTime }
    : { type, status, reason, message, observedGeneration, lastTransitionTime };
  return previous === undefined
    ? [...conditions, next]
    : conditions.map((c) => (c.type === condition.type ? next : c));
}
