// The judges: `judgeFor(policy)` folds one interval at a time into the evidence and returns a
// Verdict; the state machine acts on it (rollback, pause, or continue — advancing when the bake
// is over, and in evidence mode only once `safe`). Judges know nothing of time or bake.
import type { Evidence, Judge, JudgePolicy } from '../types.ts';
import { emptySequentialEvidence, sequentialJudge } from './sequential.ts';
import { emptyThresholdEvidence, thresholdJudge } from './threshold.ts';

/** The judge the policy names. Pure and deterministic. */
export function judgeFor(policy: JudgePolicy): Judge {
  return policy.kind === 'sequential' ? sequentialJudge(policy) : thresholdJudge(policy);
}

/** Evidence at the start of a run: no counts, every e-value 1, no streaks. JSON-serialisable. */
export function emptyEvidence(policy: JudgePolicy): Evidence {
  return policy.kind === 'sequential' ? emptySequentialEvidence(policy) : emptyThresholdEvidence(policy);
}
