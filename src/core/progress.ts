// A run in flight (phases Progressing and Paused): wait for the canary, move through the
// steps, judge each window as its data arrives, and pause, roll back or promote.
import { judgeFor } from './judge/index.ts';
import { dueInterval, lookbackMs, looksPerInterval, measureFrom, pastDeadline, pollMs, stepBaked, untilNextInterval } from './schedule.ts';
import { pauseOverLimit } from './pause-limits.ts';
import { confirmationHold, preRolloutHold } from './hooks.ts';
import { passedSentence, spanWords } from './judge/explain.ts';
import { beginPromotion, canaryShort, event, rollBack } from './transitions.ts';
import { insideWindow, untilWindowOpens } from './window.ts';
import { routeHold } from './route-hold.ts';
import type { Action, CanaryState, Decision, EventReason, Observation } from './state.ts';
import type { IntervalMeasurement, PauseCause, ReleasePolicy, Sample, Verdict } from './types.ts';

export interface RunInput {
  readonly state: CanaryState;
  readonly observation: Observation;
  readonly policy: ReleasePolicy;
  readonly now: number;
}

const humanCauses: ReadonlySet<PauseCause> = new Set(['user', 'gate', 'step-gate', 'limit']);

/**
 * The canary can take traffic: at full size before the first step. Once traffic flows, pods an
 * HPA adds (not ready yet) are no loss of capacity: some ready pods are enough.
 */
function canaryReady(observation: Observation, state: CanaryState): boolean {
  const { target } = observation;
  if (!target.rolledOut || target.replicas === 0) return false;
  const growing = observation.autoscaled === true && state.step >= 0 && target.readyReplicas > 0;
  return growing || target.readyReplicas >= target.replicas;
}

function pause(input: RunInput, cause: PauseCause, message: string, extra: Action[] = []): Decision {
  const { state, policy, now } = input;
  const changed = state.pausedBy !== cause;
  const actions = changed ? [...extra, event(pauseReason(cause), message, cause === 'no-data' ? 'Warning' : 'Normal')] : extra;
  const requeue = cause === 'window' ? Math.max(pollMs(policy), untilWindowOpens(policy.window, now)) : untilNextInterval(state, policy, now);
  return { state: { ...state, phase: 'Paused', pausedBy: cause, message }, actions, requeueAfterMs: requeue };
}

function pauseReason(cause: PauseCause): EventReason {
  const reasons = {
    user: 'Paused',
    'step-gate': 'Paused',
    gate: 'WaitingForPromotion',
    window: 'OutsideWindow',
    'no-data': 'NoCanaryData',
    'metrics-unavailable': 'MetricsUnavailable',
    'shared-incident': 'SharedIncident',
    limit: 'PauseLimitReached',
    confirmation: 'ConfirmationPending',
    route: 'RouteNotAccepted',
  } as const;
  return reasons[cause];
}

function notReadyReason({ state, observation, policy, now }: RunInput): string {
  const { readyReplicas, replicas, stalled } = observation.target;
  const pods = `${readyReplicas} of ${replicas} canary pods ready`;
  if (stalled) return `the canary's Deployment stopped progressing (ProgressDeadlineExceeded) with ${pods}`;
  const waited = state.progressAt === null ? '' : ` after ${spanWords(now - state.progressAt)}`;
  return `only ${pods}${waited}, past the progress deadline of ${spanWords(policy.progressDeadlineMs)}`;
}

/** Waiting for canary capacity before any traffic moves; rolled back past the deadline. */
function awaitCanary(input: RunInput): Decision {
  const { state, observation, policy, now } = input;
  const stalled = observation.target.stalled || pastDeadline(state, policy, now);
  if (stalled) return rollBack(state, notReadyReason(input), 'ProgressDeadlineExceeded');
  // Never leave traffic on a canary that lost its capacity.
  const actions: Action[] = observation.routedCanaryWeight !== 0 && observation.routedCanaryWeight !== null ? [{ kind: 'route', canaryWeight: 0 }] : [];
  // A run's canary runs at full size: scaled down by hand, or by a rollback whose status write a
  // crash lost, it is scaled back up rather than waited for until the progress deadline.
  if (canaryShort(observation)) actions.push({ kind: 'scale-target', replicas: observation.desiredReplicas });
  const message = `revision ${state.revision ?? ''}: waiting for the canary (${observation.target.readyReplicas}/${observation.target.replicas} ready)`;
  return { state: { ...state, canaryWeight: 0, message }, actions, requeueAfterMs: pollMs(policy) };
}

function gate(input: RunInput, next: number, why: string): Decision | null {
  const { policy, now } = input;
  if (!insideWindow(policy.window, now)) return pause(input, 'window', 'outside the deployment window: no traffic moves until it opens');
  if (next >= policy.steps.length) {
    const confirm = confirmationHold(input);
    if (confirm !== null) return pause(input, 'confirmation', confirm.message, [...confirm.actions]);
    return policy.manualGate ? pause(input, 'gate', `${why}; waiting for \`fledge promote\``) : null;
  }
  if (!policy.pauseBeforeEachStep) return null;
  return pause(input, 'step-gate', `step ${next + 1}/${policy.steps.length} is next; waiting for \`fledge resume\``);
}

function moveTo(input: RunInput, next: number, why: string): Decision {
  const { state, policy, now } = input;
  const weight = policy.steps[next] ?? 100;
  const message = policy.abMatch === undefined
    ? `step ${next + 1}/${policy.steps.length}: ${weight}% of traffic to the canary`
    : `checkpoint ${next + 1}/${policy.steps.length}: requests matching ${policy.abMatch} to the canary, all others to the primary`;
  // The first step measures from the next grid point (see measureFrom); later steps go on where the last interval ended.
  const analyzedUntil = state.analyzedUntil ?? measureFrom(policy, now);
  const moved: CanaryState = {
    ...state,
    phase: 'Progressing',
    pausedBy: null,
    step: next,
    canaryWeight: weight,
    stepStartedAt: now,
    analyzedUntil,
    progressAt: now,
    message: state.step < 0 ? message : `${message} (${why})`,
  };
  return {
    state: moved,
    actions: [{ kind: 'route', canaryWeight: weight }, event('StepAdvanced', message)],
    requeueAfterMs: untilNextInterval(moved, policy, now),
  };
}

/**
 * Move to the next step (or promotion after the last one), honouring the window and, unless
 * a person just `approved` it, the gates.
 */
export function advance(input: RunInput, why: string, approved = false): Decision {
  const next = input.state.step + 1;
  const held = approved && insideWindow(input.policy.window, input.now) ? null : gate(input, next, why);
  if (held !== null) return held;
  if (next >= input.policy.steps.length) return beginPromotion(input.state, why, input.policy);
  return moveTo(input, next, why);
}

function scaled(sample: Sample, factor: number): Sample {
  if (sample.kind !== 'value') return sample;
  const { counts } = sample;
  const events = { failures: counts.events.failures * factor, slow: counts.events.slow * factor };
  return { kind: 'value', counts: { ...counts, requests: counts.requests * factor, events } };
}

/**
 * Prometheus's increase() sees samples spanning about one scrape less than the range it reads
 * (the window and one scrape before it, see lookbackMs) and extrapolates them to the whole
 * range, so counts come inflated by range ÷ (range − scrape). Judging the deflated counts keeps
 * the evidence from being overstated (the tests stay valid).
 */
export function deflated(interval: IntervalMeasurement, policy: ReleasePolicy): IntervalMeasurement {
  const scrape = lookbackMs(policy);
  const range = interval.end - interval.start + scrape;
  const factor = Math.min(1, Math.max(0.1, (range - scrape) / range));
  return { ...interval, canary: scaled(interval.canary, factor), primary: scaled(interval.primary, factor) };
}

function judge(input: RunInput, interval: IntervalMeasurement): { state: CanaryState; verdict: Verdict } {
  const { state, policy } = input;
  const evidence = state.evidence;
  if (evidence === null) throw new Error('a run always carries evidence');
  const assessment = judgeFor(policy.judge).assess(evidence, deflated(interval, policy), {
    canaryWeight: state.canaryWeight,
    newStep: state.stepStartedAt !== null && interval.start <= state.stepStartedAt,
    looksPerInterval: looksPerInterval(policy),
  });
  // Progress means canary data arrived; a Prometheus outage is neither progress nor its absence.
  const progressed = assessment.evidence.noDataStreak === 0 && (assessment.verdict.kind !== 'pause' || assessment.verdict.cause === 'shared-incident');
  return {
    state: { ...state, evidence: assessment.evidence, analyzedUntil: interval.end, progressAt: progressed ? input.now : state.progressAt },
    verdict: assessment.verdict,
  };
}

function onPause(input: RunInput, verdict: Extract<Verdict, { kind: 'pause' }>): Decision {
  const { state, policy, now } = input;
  if (verdict.cause !== 'no-data' || !pastDeadline(state, policy, now)) return pause(input, verdict.cause, verdict.reason);
  const silent = state.progressAt === null ? '' : ` for ${spanWords(now - state.progressAt)}`;
  const why = `the canary received no requests${silent}, past the progress deadline of ${spanWords(policy.progressDeadlineMs)}`;
  if (policy.onNoData === 'rollback') return rollBack(state, why, 'ProgressDeadlineExceeded');
  const message = `${why}; held for a person (on-no-data: pause): ` +
    '`fledge promote` promotes without evidence, `fledge abort` rolls back';
  return pause(input, 'gate', message);
}

/** The last look found canary data: an interval without it is no evidence for the step and never advances one. */
function measured(state: CanaryState): boolean {
  return state.evidence !== null && state.evidence.noDataStreak === 0;
}

/** Advancing from the current step, with the sentence of the verdict that allows it (the last step's says the run passed). */
function advanceOn(input: RunInput, reason: string): Decision {
  const { state, policy } = input;
  return advance(input, state.step + 1 >= policy.steps.length ? (passedSentence(policy.judge, state.evidence) ?? reason) : reason);
}

/**
 * When to look again at a step: at the next look, or at the end of the bake when that comes
 * first and the step may then advance on the evidence already judged (schedule mode: a
 * controller looking once per interval does not hold a baked step for the next window).
 */
function nextWake(state: CanaryState, policy: ReleasePolicy, now: number): number {
  const look = untilNextInterval(state, policy, now);
  if (policy.promotion !== 'schedule' || state.stepStartedAt === null) return look;
  const baked = state.stepStartedAt + policy.bakeMs - now;
  return baked > 0 && baked < look ? baked : look;
}

/** A step whose bake ended after its last look, with no window due: it advances on that look's verdict (schedule mode). */
function bakedSinceLook(input: RunInput): boolean {
  const { state, policy, now } = input;
  return policy.promotion === 'schedule' && state.phase === 'Progressing' && state.pausedBy === null && measured(state) && stepBaked(state, policy, now);
}

function onContinue(input: RunInput, verdict: Extract<Verdict, { kind: 'continue' }>): Decision {
  const { state, policy, now } = input;
  const ready = measured(state) && stepBaked(state, policy, now) && (policy.promotion === 'schedule' || verdict.safe);
  if (ready) return advanceOn(input, verdict.reason);
  const resumed = state.phase === 'Paused' && state.pausedBy !== 'window';
  if (!resumed) return { state: { ...state, message: verdict.reason }, actions: [], requeueAfterMs: nextWake(state, policy, now) };
  const next: CanaryState = { ...state, phase: 'Progressing', pausedBy: null, message: verdict.reason };
  return { state: next, actions: [event('Resumed', `resumed: ${verdict.reason}`)], requeueAfterMs: nextWake(next, policy, now) };
}

/** After judging: act on the verdict; keep human pauses; advance when baked. */
function afterVerdict(input: RunInput, verdict: Verdict): Decision {
  const { state, policy, now } = input;
  if (verdict.kind === 'rollback') return rollBack(state, verdict.reason);
  if (state.pausedBy !== null && humanCauses.has(state.pausedBy)) return { state, actions: [], requeueAfterMs: untilNextInterval(state, policy, now) };
  return verdict.kind === 'pause' ? onPause(input, verdict) : onContinue(input, verdict);
}

function sameSpan(interval: IntervalMeasurement | null, due: { start: number; end: number } | null): interval is IntervalMeasurement {
  return interval !== null && due !== null && interval.start === due.start && interval.end === due.end;
}

/** At a step: restore its weight if it drifted, and judge the interval that is due. */
function atStep(input: RunInput): Decision {
  const { state, observation, policy, now } = input;
  // Traffic held back while the canary was unready (or edited by hand) returns to the step's weight.
  const weight = policy.steps[state.step] ?? 0;
  const drift: Action[] = observation.routedCanaryWeight === weight ? [] : [{ kind: 'route', canaryWeight: weight }];
  if (drift.length > 0 && observation.routedCanaryWeight !== null && observation.routedCanaryWeight !== state.canaryWeight) {
    drift.push(event('DriftRepaired', `the TrafficSplit sent ${observation.routedCanaryWeight}% to the canary; restored step ${state.step + 1}'s ${weight}%`, 'Warning'));
  }
  const current = { ...state, canaryWeight: weight };
  const interval = observation.interval;
  if (!sameSpan(interval, dueInterval(state, policy, now))) {
    if (drift.length === 0 && bakedSinceLook({ ...input, state: current })) return advanceOn({ ...input, state: current }, state.message);
    return { state: current, actions: drift, requeueAfterMs: nextWake(state, policy, now) };
  }
  const judged = judge({ ...input, state: current }, interval);
  const decision = afterVerdict({ ...input, state: judged.state }, judged.verdict);
  return decision.actions.some((action) => action.kind === 'route') ? decision : { ...decision, actions: [...drift, ...decision.actions] };
}

function primaryLost(observation: Observation): boolean {
  return observation.primary === null || observation.primary.readyReplicas === 0;
}

/**
 * The primary lost every pod mid-run (deleted by hand, crashing): the canary is the only
 * backend that can serve, so it takes all traffic, no step is taken and nothing is judged
 * until the primary is back — or a person promotes (which rebuilds the primary) or aborts.
 */
function holdOnCanary(input: RunInput): Decision {
  const { state, observation, policy } = input;
  const message = 'the primary has no ready pods: all traffic on the canary, steps held until it is back; `fledge promote` rebuilds it from the canary';
  const actions: Action[] = observation.routedCanaryWeight === 100 ? [] : [{ kind: 'route', canaryWeight: 100 }, event('DriftRepaired', message, 'Warning')];
  return { state: { ...state, canaryWeight: 100, message }, actions, requeueAfterMs: pollMs(policy) };
}

/** Past the pause limit: all traffic stays on the primary until a person resumes or aborts. */
function holdOnPrimary(input: RunInput): Decision {
  const actions: Action[] = input.observation.routedCanaryWeight === 0 ? [] : [{ kind: 'route', canaryWeight: 0 }];
  return { state: { ...input.state, canaryWeight: 0 }, actions, requeueAfterMs: null };
}

/** Before the first step: wait for the window (changing nothing while it stays closed), then step in. */
function firstStep(input: RunInput): Decision {
  const { state, policy, now } = input;
  if (state.pausedBy !== null && humanCauses.has(state.pausedBy)) return { state, actions: [], requeueAfterMs: null };
  const waiting = state.pausedBy === 'window' && !insideWindow(policy.window, now);
  const hooked = waiting ? null : preRolloutHold(input);
  if (hooked !== null) return hooked;
  return advance({ ...input, state: waiting ? state : { ...state, progressAt: now } }, 'canary ready');
}

/** One look at a run in flight. */
export function progressRun(input: RunInput): Decision {
  const { state, observation, policy, now } = input;
  const limited = pauseOverLimit(input);
  if (limited !== null) return limited;
  if (!canaryReady(observation, state)) return awaitCanary(input);
  if (state.step >= 0 && primaryLost(observation)) return holdOnCanary(input);
  if (state.pausedBy === 'limit') return holdOnPrimary(input);
  const held = routeHold(input);
  if (held !== null) return held;
  if (state.step < 0) return firstStep(input);
  if (state.pausedBy === 'window' && insideWindow(policy.window, now)) return advance(input, 'deployment window open');
  return atStep(input);
}
