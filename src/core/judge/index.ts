// The judges: `judgeFor(policy)` folds one interval at a time into the evidence and returns a
// Verdict; the state machine acts on it (rollback, pause, or continue — advancing when the bake
// is over, and in evidence mode only once `safe`). Judges know nothing of time or bake.
import { FledgeError } from '../../errors.ts';
import type { Evidence, Judge, JudgePolicy } from '../types.ts';
import { emptySequentialEvidence, sequentialJudge } from './sequential.ts';
import { emptyThresholdEvidence, thresholdJudge } from './threshold.ts';

interface JudgeKind {
  readonly judge: (policy: JudgePolicy) => Judge;
  readonly empty: (policy: JudgePolicy) => Evidence;
}

const kinds: Readonly<Record<JudgePolicy['kind'], JudgeKind>> = {
  sequential: { judge: sequentialJudge, empty: emptySequentialEvidence },
  threshold: { judge: thresholdJudge, empty: emptyThresholdEvidence },
};

/** Throws FLEDGE_CONFIG_INVALID for a kind that is not a judge (no silent fallback). */
function kindOf(policy: JudgePolicy): JudgeKind {
  const kind = Object.hasOwn(kinds, policy.kind) ? kinds[policy.kind] : undefined;
  if (kind === undefined) throw new FledgeError('FLEDGE_CONFIG_INVALID', `unknown judge "${String(policy.kind)}": expected one of ${Object.keys(kinds).join(', ')}`);
  return kind;
}

/** The judge the policy names. Pure and deterministic. */
export function judgeFor(policy: JudgePolicy): Judge {
  return kindOf(policy).judge(policy);
}

/** Evidence at the start of a run: no counts, every e-value 1, no streaks. JSON-serialisable. */
export function emptyEvidence(policy: JudgePolicy): Evidence {
  return kindOf(policy).empty(policy);
}
