// How long a run may stay paused. A pause that clears itself (no canary data, Prometheus
// errors) must not hold traffic on the canary forever: past the pause limit, traffic goes back
// to the primary and the run waits for a person (never failed for want of information). A run
// waiting at the manual promotion gate past its gate timeout is aborted.
import { spanWords } from './judge/explain.ts';
import { formatSpan } from './judge/format.ts';
import { confirmationTimedOut } from './hooks.ts';
import { event, rollBack } from './transitions.ts';
import type { CanaryState, Decision } from './state.ts';
import type { PauseCause, ReleasePolicy } from './types.ts';

const limitedCauses: Readonly<Partial<Record<PauseCause, string>>> = {
  'no-data': 'no canary data',
  'metrics-unavailable': 'Prometheus errors',
};

interface Input {
  readonly state: CanaryState;
  readonly policy: ReleasePolicy;
  readonly now: number;
}

function gateTimedOut({ state, policy }: Input, held: number): Decision | null {
  if (state.pausedBy !== 'gate' || policy.gateTimeoutMs === null || held <= policy.gateTimeoutMs) return null;
  return rollBack(state, `nobody ran \`fledge promote\` within the gate timeout of ${spanWords(policy.gateTimeoutMs)} (waited ${spanWords(held)})`, 'GateTimedOut');
}

/** The step a resumed run returns to, for messages. */
function stepText(state: CanaryState, policy: ReleasePolicy): string {
  const weight = policy.steps[state.step];
  return weight === undefined ? 'the next step' : `step ${state.step + 1}/${policy.steps.length} (${weight}%)`;
}

/**
 * A decision when the current pause has lasted too long, else null: back to the primary and
 * paused for a person (`limit`), or, at the promotion gate, rolled back.
 */
export function pauseOverLimit(input: Input): Decision | null {
  const { state, policy, now } = input;
  if (state.phase !== 'Paused' || state.pausedBy === null || state.pausedAt === null) return null;
  const held = now - state.pausedAt;
  const timedOut = gateTimedOut(input, held) ?? confirmationTimedOut(input, held);
  if (timedOut !== null) return timedOut;
  const cause = limitedCauses[state.pausedBy];
  if (cause === undefined || held <= policy.pauseLimitMs) return null;
  const message = `paused ${formatSpan(held)} by ${cause} (pause limit ${formatSpan(policy.pauseLimitMs)}): all traffic back on the primary; ` +
    `\`fledge resume\` continues at ${stepText(state, policy)}, \`fledge abort\` rolls back`;
  return {
    state: { ...state, pausedBy: 'limit', canaryWeight: 0, message },
    actions: [{ kind: 'route', canaryWeight: 0 }, event('PauseLimitReached', message, 'Warning')],
    requeueAfterMs: null,
  };
}
