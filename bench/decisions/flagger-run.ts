// Runs the Flagger baseline against the simulated world: a tick every interval from t = 0 (the
// canary is ready; Flagger's own earlier tick that only scales the canary up is not counted),
// each check reading the last interval as Flagger's `[1m]` queries do at the tick.
import type { FlaggerCheckInput, FlaggerPolicy, FlaggerState } from './flagger.ts';
import { flaggerStart, flaggerTick, needsCheck } from './flagger.ts';
import type { RunLimits, RunOutcome } from './outcome.ts';
import type { World } from './world.ts';

function checkInput(world: World, policy: FlaggerPolicy, now: number): FlaggerCheckInput {
  const reading = world.read({ start: now - policy.intervalMs, end: now }, now);
  if (reading.kind === 'down') return { kind: 'error' };
  return { kind: 'values', successRate: reading.canarySuccessRate, p99Ms: reading.canaryP99Ms };
}

export function runFlagger(world: World, policy: FlaggerPolicy, limits: RunLimits): RunOutcome {
  let state: FlaggerState = flaggerStart;
  for (let now = 0; now <= limits.horizonMs; now += policy.intervalMs) {
    const input = needsCheck(policy, state) ? checkInput(world, policy, now) : null;
    const step = flaggerTick(policy, state, input);
    if (step.kind !== 'continue') {
      if (step.kind === 'rollback') world.setWeight(now, 0);
      const reason = step.kind === 'rollback' ? `${state.failedChecks} failed checks` : `check at ${state.weight}% passed`;
      return { ending: step.kind, decidedAtMs: now, ...world.truth(now), reason };
    }
    state = { ...step.state, iterations: state.iterations + 1 };
    world.setWeight(now, state.weight);
  }
  return { ending: 'undecided', decidedAtMs: limits.horizonMs, ...world.truth(limits.horizonMs), reason: `weight ${state.weight}%, ${state.failedChecks} failed checks` };
}
