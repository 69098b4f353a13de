// What one simulated run of one policy ended with.

export type Ending = 'rollback' | 'promote' | 'undecided';

export interface RunOutcome {
  readonly ending: Ending;
  /** Simulated ms from the new revision to the decision (rollback or start of promotion); the horizon when undecided. */
  readonly decidedAtMs: number;
  /** Canary failures beyond the primary's rate over the same requests, up to the decision. */
  readonly excessFailures: number;
  readonly excessSlow: number;
  readonly canaryRequests: number;
  /** Why it ended, in the policy's words (for inspecting single runs). */
  readonly reason: string;
}

/** The simulated world a policy runs against, as the policies see it. */
export interface RunLimits {
  /** A run without a decision by then counts as undecided. */
  readonly horizonMs: number;
}
