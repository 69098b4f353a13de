// Writes the Canary's status: the core's state plus standard conditions and the outbox, once per
// reconcile, and only when it differs from the stored status.
import type { AnalysisPin } from '../ports/canary-schema.ts';
import { canaryWith, fromStatus, setCondition, toStatus, type CanaryObject, type CanaryStatus, type ClusterObjects, type Condition } from '../ports.ts';
import { initialState } from '../core/transitions.ts';
import { isFledgeError } from '../errors.ts';
import type { CanaryState } from '../core/state.ts';
import type { HistoryStatus } from '../ports/history-schema.ts';
import { historyFromStatus, historyToStatus, runStartOf } from '../ports/canary-history.ts';
import { leavesHistory, recordLook, type LookInput } from '../core/history.ts';
import { emptyHistory } from '../core/history-types.ts';
import { jsonEqual } from '../core/json-equal.ts';

export interface ConditionInput {
  readonly type: string;
  readonly ok: boolean;
  readonly reason: string;
  readonly message: string;
}

/** States decoded from stored statuses: a reconcile reads its Canary's state more than once, and a held or cached status is read again by the next. */
const decoded = new WeakMap<CanaryStatus, CanaryState>();

/** The core's state as the Canary's status holds it; a Canary without status has not started. */
export function stateOf(canary: CanaryObject): CanaryState {
  const status = canary.status;
  if (status === undefined) return initialState();
  const known = decoded.get(status);
  if (known !== undefined) return known;
  const state = fromStatus(status);
  decoded.set(status, state);
  return state;
}

/** `status.history` after this decision's look (see core/history.ts). */
export function recordHistory(canary: CanaryObject, input: LookInput): HistoryStatus {
  const stored = canary.status?.history;
  const current = stored?.current ?? null;
  // Most reconciles add nothing (polls, echoes of writes): the stored history is kept without decoding it.
  if (stored !== undefined && leavesHistory(current === null ? null : runStartOf(current), input)) return stored;
  return historyToStatus(recordLook(stored === undefined ? emptyHistory() : historyFromStatus(stored), input));
}

/**
 * Why a release cannot go on: a bad annotation or Deployment (`InvalidAnnotation`, `InvalidTarget`),
 * a hook URL the allow-list refuses (`HookNotAllowed`), someone else's object in the way (`ForeignObject`),
 * an analysis template that is invalid or gone (`InvalidAnalysisTemplate`), or a template's Prometheus
 * address the allow-list refuses (`PrometheusNotAllowed`).
 */
export interface ConfigIssue {
  readonly reason: 'InvalidAnnotation' | 'InvalidTarget' | 'HookNotAllowed' | 'ForeignObject' | 'InvalidAnalysisTemplate' | 'PrometheusNotAllowed';
  readonly message: string;
}

/** `FLEDGE_API_REJECTED` → `ApiRejected`: an error code as a CamelCase condition reason. */
export function reasonOfCode(code: string): string {
  return code.replace(/^FLEDGE_/, '').toLowerCase().split('_').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

/**
 * The API refused a request for good (400/403/404/422): `Reconciled=False` until a reconcile goes
 * through, the reason the error code in CamelCase (`ApiRejected`, `ObjectForeign`; the message names the code).
 */
export function refusedCondition(code: string, message: string): ConditionInput {
  return { type: 'Reconciled', ok: false, reason: reasonOfCode(code), message };
}

/**
 * `Hooks` (only for Canaries that name hooks): False while a hook's last answer in this run was a
 * failure (`HookFailed`) or the confirm-promotion hook has not said yes (`ConfirmationPending`).
 */
function hooksCondition(state: CanaryState): ConditionInput {
  if (state.phase === 'Paused' && state.pausedBy === 'confirmation') {
    return { type: 'Hooks', ok: false, reason: 'ConfirmationPending', message: state.message };
  }
  const failure = state.hooks.lastFailure;
  return failure === null
    ? { type: 'Hooks', ok: true, reason: 'HooksPassing', message: 'no hook failed in this run' }
    : { type: 'Hooks', ok: false, reason: 'HookFailed', message: failure };
}

export function conditionsFor(input: { state: CanaryState; targetRevision: string | null; configIssue: ConfigIssue | null; hooks?: boolean }): ConditionInput[] {
  const { state, targetRevision, configIssue } = input;
  const hooks = input.hooks === true ? [hooksCondition(state)] : [];
  const promoted = targetRevision !== null && state.lastPromotedRevision === targetRevision;
  return [
    configIssue === null
      ? { type: 'ConfigValid', ok: true, reason: 'Valid', message: 'annotations parsed' }
      : { type: 'ConfigValid', ok: false, reason: configIssue.reason, message: configIssue.message },
    { type: 'Reconciled', ok: true, reason: 'Succeeded', message: 'every request of the last reconcile went through' },
    { type: 'Ready', ok: state.phase !== 'Initializing', reason: state.phase, message: state.message },
    { type: 'Promoted', ok: promoted, reason: promoted ? 'RevisionPromoted' : 'NotPromoted', message: `revision ${targetRevision ?? 'unknown'}` },
    { type: 'Paused', ok: state.phase === 'Paused', reason: pausedReason(state), message: state.phase === 'Paused' ? state.message : '' },
    ...hooks,
  ];
}

/** The `Paused` condition's reason for each pause cause (metav1.Condition reasons are CamelCase). */
export const pausedReasons: Readonly<Record<NonNullable<CanaryState['pausedBy']>, string>> = {
  'user': 'UserPaused',
  'gate': 'PromotionGate',
  'step-gate': 'StepGate',
  'window': 'OutsideWindow',
  'no-data': 'NoData',
  'metrics-unavailable': 'MetricsUnavailable',
  'shared-incident': 'SharedIncident',
  'limit': 'PauseLimit',
  'confirmation': 'ConfirmationPending',
  'route': 'RouteNotAccepted',
};

function pausedReason(state: CanaryState): string {
  return state.pausedBy === null ? 'NotPaused' : pausedReasons[state.pausedBy];
}

function mergeConditions(existing: readonly Condition[], wanted: readonly ConditionInput[], input: { generation: number; now: number }): Condition[] {
  return wanted.reduce<Condition[]>(
    (list, c) => setCondition(list, { type: c.type, status: c.ok ? 'True' : 'False', reason: c.reason, message: c.message.slice(0, 1000), observedGeneration: input.generation }, input.now),
    [...existing],
  );
}

/** The outbox part of status. */
export type OutboxPart = Pick<CanaryStatus, 'outbox' | 'noticeSeq'>;

export interface StatusInput {
  readonly state: CanaryState;
  readonly conditions: readonly ConditionInput[];
  /** The target Deployment's metadata.generation this status is about (the Canary's own is read from it). */
  readonly targetGeneration: number;
  readonly now: number;
  /** What the outbox becomes when written over `base` (called per attempt); by default it is kept. */
  readonly outbox?: (base: CanaryObject) => OutboxPart;
  /**
   * The outbox with housekeeping done too (delivered entries removed): written when the status is
   * written anyway, but on its own no reason to write. Defaults to `outbox`.
   */
  readonly tidied?: (base: CanaryObject) => OutboxPart;
  /** `status.history` to write; by default the stored one is kept. */
  readonly history?: HistoryStatus;
  /** The analysis pin to write (status.analysis); the stored one is kept when undefined. */
  readonly analysis?: AnalysisPin | null;
  /** Keeps `next` (built on `base`) in memory instead of writing it; true when it did (see held-looks.ts). */
  readonly hold?: (base: CanaryObject, next: CanaryObject) => boolean;
}

export interface StatusWrite {
  /** The Canary as written; as read when nothing changed. */
  readonly canary: CanaryObject;
  /** False when the status equalled the stored one, or was held, and no request was made. */
  readonly written: boolean;
}

function keptOutbox(base: CanaryObject): OutboxPart {
  return { outbox: base.status?.outbox ?? [], noticeSeq: base.status?.noticeSeq ?? 0 };
}

/** Equal as the API server would store them (JSON: no undefined, no -0; key order irrelevant). */
export function sameStatus(a: CanaryStatus, b: CanaryStatus): boolean {
  return jsonEqual(a, b);
}

/** The Canary with its new status on `base`; `tidy` gives that one with the tidied outbox (all else as built). */
interface Build {
  readonly status: (base: CanaryObject) => CanaryObject;
  readonly tidy: (base: CanaryObject, next: CanaryObject) => CanaryObject;
}

/** The analysis pin and the history to write: the given ones, else the stored ones. */
function keptRecords(input: StatusInput, base: CanaryObject): { analysis: AnalysisPin | null; history?: HistoryStatus } {
  const history = input.history ?? base.status?.history;
  const analysis = input.analysis === undefined ? (base.status?.analysis ?? null) : input.analysis;
  return history === undefined ? { analysis } : { analysis, history };
}

/** How many steps the spec lists (for status.stepText); nothing when the spec does not say. */
function stepsOf(canary: CanaryObject): { steps?: number } {
  const steps: unknown = canary.spec['steps'];
  return Array.isArray(steps) ? { steps: steps.length } : {};
}

async function writeIfChanged(cluster: ClusterObjects, base: CanaryObject, build: Build, hold: StatusInput['hold']): Promise<StatusWrite> {
  const next = build.status(base);
  if (base.status !== undefined && next.status !== undefined && sameStatus(base.status, next.status)) return { canary: base, written: false };
  if (hold?.(base, next) === true) return { canary: next, written: false };
  return { canary: await cluster.updateCanaryStatus(build.tidy(base, next)), written: true };
}

/**
 * Writes status with the Canary's resourceVersion, unless it equals the stored status apart from
 * `tidied` housekeeping (then no request is made). Only the controller writes status, so a 409 (someone patched annotations
 * meanwhile) is answered by re-reading and writing once more.
 */
export async function writeStatus(cluster: ClusterObjects, canary: CanaryObject, input: StatusInput): Promise<StatusWrite> {
  const build: Build = {
    status: (base) => {
      const generation = base.metadata.generation ?? 0;
      const conditions = mergeConditions(base.status?.conditions ?? [], input.conditions, { generation, now: input.now });
      const outbox = (input.outbox ?? keptOutbox)(base);
      const extra = { observedGeneration: generation, targetGeneration: input.targetGeneration, conditions, ...stepsOf(base), ...outbox, ...keptRecords(input, base) };
      return canaryWith(base, { status: toStatus(input.state, extra) });
    },
    // Only the outbox differs: the status is not built a second time for the write.
    tidy: (base, next) => {
      if (input.tidied === undefined || next.status === undefined) return next;
      const { outbox, noticeSeq } = input.tidied(base);
      return canaryWith(base, { status: { ...next.status, outbox: [...outbox], noticeSeq } });
    },
  };
  try {
    return await writeIfChanged(cluster, canary, build, input.hold);
  } catch (error) {
    if (!isFledgeError(error) || error.code !== 'FLEDGE_API_CONFLICT') throw error;
    const fresh = await cluster.getCanary(canary.metadata.namespace ?? '', canary.metadata.name ?? '');
    if (fresh === null) throw error;
    return writeIfChanged(cluster, fresh, build, input.hold);
  }
}
