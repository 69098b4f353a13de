// Checks both judges run before weighing evidence: a metrics error pauses (never a failed
// check), a catastrophic canary rolls back at once, and a canary without data pauses after
// `noDataIntervals` intervals instead of failing.
import type { Assessment, Counts, Evidence, IntervalMeasurement, JudgeContext, JudgePolicy, Verdict } from '../types.ts';
import { formatCount } from './explain.ts';
import { formatPercent } from './format.ts';

/** Pause when either side's query failed. The caller keeps the evidence as it was. */
export function metricsUnavailable(interval: IntervalMeasurement): Verdict | null {
  const messages = [interval.canary, interval.primary].flatMap((sample) => (sample.kind === 'error' ? [sample.message] : []));
  if (messages.length === 0) return null;
  const message = [...new Set(messages)].join('; ');
  return { kind: 'pause', cause: 'metrics-unavailable', reason: `paused: Prometheus did not answer (${message}); nothing moves on missing information` };
}

function catastrophic(policy: JudgePolicy, counts: Counts | null): number | null {
  if (counts === null || counts.requests === 0 || counts.requests < policy.catastropheMinRequests) return null;
  const share = counts.events.failures / counts.requests;
  return share >= policy.catastropheRatio ? share : null;
}

/**
 * Roll back at once when the canary fails at least catastropheRatio of at least
 * catastropheMinRequests in one interval — unless the primary fails as badly in the same
 * interval: that is a shared incident (a dependency is down), which pauses instead.
 */
export function catastrophe(policy: JudgePolicy, sides: { canary: Counts; primary: Counts | null }): Verdict | null {
  const share = catastrophic(policy, sides.canary);
  if (share === null) return null;
  const requests = formatCount(sides.canary.requests);
  const primaryShare = catastrophic(policy, sides.primary);
  if (primaryShare !== null) {
    return {
      kind: 'pause',
      cause: 'shared-incident',
      reason: `paused: the canary failed ${formatPercent(share)} of ${requests} requests and the primary ${formatPercent(primaryShare)} of ${formatCount(sides.primary?.requests ?? 0)} in the same interval (a shared incident, not the canary's doing)`,
    };
  }
  return {
    kind: 'rollback',
    reason: `the canary failed ${formatPercent(share)} of ${requests} requests in a single interval, past the ${formatPercent(policy.catastropheRatio)} guardrail: rolled back at once, without waiting for more evidence`,
  };
}

/** True when the canary measured requests this interval. */
export function hasCanaryData(canary: Counts | null): canary is Counts {
  return canary !== null && canary.requests > 0;
}

/** The no-data limit in windows: noDataIntervals intervals of `looksPerInterval` windows each. */
function noDataLimit(policy: JudgePolicy, context: JudgeContext): number {
  return policy.noDataIntervals * Math.max(1, context.looksPerInterval ?? 1);
}

/** "3 intervals", or "5 windows" when the judge looks more often than once per interval. */
function streakText(streak: number, context: JudgeContext): string {
  return `${streak} ${unitOf(context)}${streak === 1 ? '' : 's'}`;
}

/** What the judge looks at once: a window when it looks more often than once per interval. */
function unitOf(context: JudgeContext): string {
  return (context.looksPerInterval ?? 1) > 1 ? 'window' : 'interval';
}

/**
 * A window without canary requests. At weight 0 (a blue-green bake) none are expected:
 * nothing contradicts the canary, so it continues as safe. Otherwise the no-data streak grows
 * and pauses the run once it spans noDataIntervals intervals.
 */
export function noCanaryData(policy: JudgePolicy, evidence: Evidence, context: JudgeContext): Assessment {
  if (context.canaryWeight <= 0) {
    return {
      evidence: { ...evidence, intervals: evidence.intervals + 1 },
      verdict: { kind: 'continue', safe: true, reason: 'canary receives no traffic at weight 0: nothing to judge, nothing against it' },
    };
  }
  const noDataStreak = evidence.noDataStreak + 1;
  const next = { ...evidence, intervals: evidence.intervals + 1, noDataStreak };
  const limit = noDataLimit(policy, context);
  if (noDataStreak >= limit) {
    return { evidence: next, verdict: { kind: 'pause', cause: 'no-data', reason: `paused: the canary received no requests in the last ${streakText(noDataStreak, context)}` } };
  }
  return {
    evidence: next,
    verdict: { kind: 'continue', safe: false, reason: `the canary received no requests this ${unitOf(context)} (${noDataStreak} of ${limit} such ${unitOf(context)}s pause the release)` },
  };
}
