// Gauge guardrails (a template's `checks:`): a bound on a canary gauge such as CPU, memory or
// queue depth. Broken `for` intervals in a row rolls back; a check without data pauses (never
// a decision on missing information). Streaks live in the evidence, so a restart keeps them.
import type { Counts, Evidence, GaugeCheckPolicy, JudgePolicy, Verdict } from '../types.ts';

/** A gauge as people read it: up to 6 significant digits, no exponent (600000000, 0.25). */
function formatNumber(value: number): string {
  return Number(value.toPrecision(6)).toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 6 });
}

function broken(check: GaugeCheckPolicy, value: number): boolean {
  return (check.max !== undefined && value > check.max) || (check.min !== undefined && value < check.min);
}

function bound(check: GaugeCheckPolicy): string {
  return check.max === undefined ? `below min ${formatNumber(check.min ?? 0)}` : `above max ${formatNumber(check.max)}`;
}

/**
 * Folds the canary's gauges into the check streaks. Verdict: pause when a check had no data,
 * rollback when one was broken `for` intervals in a row, else null (the other tests decide).
 */
export function gaugeChecks(policy: JudgePolicy, evidence: Evidence, canary: Counts): { evidence: Evidence; verdict: Verdict | null } {
  const checks = policy.checks ?? [];
  if (checks.length === 0) return { evidence, verdict: null };
  const missing = checks.filter((check) => typeof canary.gauges?.[check.name] !== 'number');
  if (missing.length > 0) {
    const names = missing.map((check) => check.name).join(', ');
    return { evidence, verdict: { kind: 'pause', cause: 'no-data', reason: `check ${names}: no data for the canary this interval: pausing, no decision on missing information` } };
  }
  const before = evidence.checkStreaks ?? {};
  const streaks = Object.fromEntries(checks.map((check) => {
    const value = canary.gauges?.[check.name] ?? 0;
    return [check.name, broken(check, value) ? (before[check.name] ?? 0) + 1 : 0];
  }));
  const failed = checks.filter((check) => (streaks[check.name] ?? 0) >= check.for);
  const next = { ...evidence, checkStreaks: streaks };
  if (failed.length === 0) return { evidence: next, verdict: null };
  const reasons = failed.map((check) => `check ${check.name}: canary ${formatNumber(canary.gauges?.[check.name] ?? 0)} ${bound(check)} for ${streaks[check.name] ?? 0} interval(s) in a row (limit ${check.for})`);
  return { evidence: next, verdict: { kind: 'rollback', reason: `${reasons.join('; ')}: roll back` } };
}
