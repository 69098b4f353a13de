// The analysis lines of `fledge status NAME`: which template the run is judged with (the object
// and its generation, pinned for the run) and each judged metric and gauge check by name.
import type { CanaryObject } from '../adapters/kube/canary-resource.ts';

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '∞';
  return Number(value.toPrecision(3)).toString();
}

function sourceText(canary: CanaryObject): string | null {
  const pin = canary.status?.analysis ?? null;
  if (pin === null) return null;
  const { kind, namespace, name, generation } = pin.source;
  const object = kind === 'BuiltIn' ? `built-in ${name}` : `${kind} ${namespace === null ? '' : `${namespace}/`}${name} (generation ${generation})`;
  return `analysis: ${object}${pin.run === '' ? '' : ', pinned for this run'}`;
}

/** `analysis: …` and `evidence: errors harm 1.2 (3/200 vs 5/1800), …; checks: memory 2 in a row`, when there are any. */
export function analysisLines(canary: CanaryObject): string[] {
  const source = sourceText(canary);
  const evidence = canary.status?.evidence ?? null;
  const metrics = (evidence?.metrics ?? []).map((m) => `${m.name} harm ${formatNumber(m.harm)} (${formatNumber(m.canaryEvents)}/${formatNumber(m.canaryRequests)} vs ${formatNumber(m.primaryEvents)}/${formatNumber(m.primaryRequests)})`);
  const checks = Object.entries(evidence?.checkStreaks ?? {}).map(([name, streak]) => `${name} ${streak} in a row`);
  const judged = metrics.length === 0 ? [] : [`evidence: ${metrics.join(', ')}${checks.length === 0 ? '' : `; checks broken: ${checks.join(', ')}`}`];
  return [...(source === null ? [] : [source]), ...judged];
}
