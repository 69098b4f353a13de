// The evidence lines of `fledge status NAME`: per judged metric, the counts of both sides as the
// controller summed them up and how far the harm evidence has come towards a rollback.
import type { CanaryObject } from '../adapters/kube/canary-resource.ts';

function toward(value: number | null): string {
  if (value === null) return '';
  return value >= 1 ? '; evidence at the rollback threshold' : `; evidence ${Math.floor(value * 100)}% of the way to a rollback`;
}

/** `evidence errors: canary 3.7% of 1,204, primary 0.34% of 9,800 (about 11×); evidence 49% of the way to a rollback`, one per metric. */
export function evidenceLines(canary: CanaryObject): string[] {
  const evidence = canary.status?.evidence;
  if (evidence === null || evidence === undefined) return [];
  return evidence.metrics.filter((metric) => metric.summary !== '').map((metric) => `evidence ${metric.name}: ${metric.summary}${toward(metric.towardRollback)}`);
}
