// Turns cell results into the printed table, bench/results/decisions.md and decisions.csv.
import type { CellResult } from './cell.ts';
import { policyIds, policyLabels } from './policies.ts';
import { scenarioSpecs } from './scenarios.ts';
import type { CellSummary } from './stats.ts';

function percent(value: number, digits = 1): string {
  return Number.isFinite(value) ? `${(100 * value).toFixed(digits)}%` : '—';
}

function number(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '—';
  const text = value.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text; // no "-0"
}

export function rollbackText(s: CellSummary): string {
  return `${percent(s.rollbackRate)} [${percent(s.rollbackLow)}–${percent(s.rollbackHigh)}]`;
}

export const tableHeader = ['scenario', 'req/s', 'policy', 'rollback [95% CI]', 'promoted', 'undecided', 'decision min (median / p90)', 'excess failures before rollback (median)'];

export function tableRow(result: CellResult): string[] {
  const s = result.summary;
  return [
    result.scenarioLabel,
    String(result.job.requestsPerSecond),
    policyLabels[result.job.policy],
    rollbackText(s),
    percent(s.promotions / s.runs),
    percent(s.undecided / s.runs),
    `${number(s.decisionMedianMin)} / ${number(s.decisionP90Min)}`,
    number(s.excessFailuresRollback, 0),
  ];
}

/** Results in table order: scenario, then request rate, then policy. */
export function ordered(results: readonly CellResult[]): CellResult[] {
  const policyOrder = (id: string): number => (policyIds as readonly string[]).indexOf(id);
  return [...results].sort(
    (a, b) => a.job.scenario - b.job.scenario || a.job.requestsPerSecond - b.job.requestsPerSecond || policyOrder(a.job.policy) - policyOrder(b.job.policy),
  );
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A fixed-width table for the terminal. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const csvHeader = [
  'scenario_id', 'scenario', 'base_failure', 'success_rate_min', 'rps', 'policy', 'runs', 'rollbacks', 'rollback_rate', 'rollback_ci_low',
  'rollback_ci_high', 'promotions', 'undecided', 'decision_median_min', 'decision_p90_min', 'rollback_median_min',
  'excess_failures_before_rollback_median', 'excess_failures_all_runs_median', 'excess_slow_all_runs_median',
];

function csvCell(value: string | number): string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(Number(value.toFixed(6))) : '') : value;
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(results: readonly CellResult[]): string {
  const specs = scenarioSpecs();
  const rows = ordered(results).map((r) => {
    const s = r.summary;
    const spec = specs[r.job.scenario];
    return [
      r.scenarioId, r.scenarioLabel, spec?.baseFailure ?? Number.NaN, r.successRateMin, r.job.requestsPerSecond, r.job.policy, s.runs, s.rollbacks,
      s.rollbackRate, s.rollbackLow, s.rollbackHigh, s.promotions, s.undecided, s.decisionMedianMin, s.decisionP90Min, s.rollbackMedianMin,
      s.excessFailuresRollback, s.excessFailuresAll, s.excessSlowAll,
    ].map(csvCell).join(',');
  });
  return [csvHeader.join(','), ...rows].join('\n') + '\n';
}

/** The rows the README quotes: A/A at 1 and 100 req/s and 10× errors at 100 req/s (base 0.1%). */
export function headlineRows(results: readonly CellResult[]): CellResult[] {
  const wanted: readonly (readonly [string, number])[] = [['aa-0.1%', 1], ['aa-0.1%', 100], ['errors-10x-0.1%', 100], ['errors-10x-1%', 100]];
  return ordered(results).filter((r) => wanted.some(([id, rps]) => r.scenarioId === id && r.job.requestsPerSecond === rps));
}
