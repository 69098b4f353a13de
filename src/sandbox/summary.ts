// The end-of-run table and the `--keep` instructions.
import type { Ending } from './release.ts';
import type { Outcome } from './scenarios.ts';

/** One judged metric of a release as its Canary's evidence ended: the canary's event share. */
export interface JudgedShare {
  readonly name: string;
  /** Events ÷ requests of the canary over the run; null without requests. */
  readonly canaryShare: number | null;
}

export interface ReleaseResult {
  readonly image: string;
  readonly note: string;
  readonly expected: Outcome;
  readonly ending: Ending;
  readonly durationMs: number;
  /** Served by the canary (the app's own Deployment) during this release. */
  readonly canaryRequests: number;
  readonly canaryFailures: number;
  /** A/B runs: how many of the canary's requests did not carry the match (there should be none). */
  readonly canaryUnmatched?: number;
  /** Phases the Canary went through, in order, without repeats. */
  readonly phases: readonly string[];
  /** The Canary's status.message as the release ended: the controller's sentence with the numbers that decided. */
  readonly reason: string;
  /** Each metric the judge weighed, as the run's evidence ended (empty when nothing was judged). */
  readonly judged: readonly JudgedShare[];
}

export function releaseOk(result: ReleaseResult): boolean {
  return result.ending === result.expected && (result.canaryUnmatched ?? 0) === 0;
}

function abLines(results: readonly ReleaseResult[]): string[] {
  return results.flatMap((r) => (r.canaryUnmatched === undefined ? [] : [
    `A/B ${r.image}: ${r.canaryRequests - r.canaryUnmatched} of the canary's ${r.canaryRequests} requests matched; ${r.canaryUnmatched} did not${r.canaryUnmatched === 0 ? '' : ' ✗'}`,
  ]));
}

function shareText(share: number | null | undefined): string {
  return share === null || share === undefined ? '–' : `${Number((share * 100).toFixed(2))}%`;
}

/**
 * The judged metrics' names in first-seen order: one column each ("errors", "latency", or any
 * template's metric), the canary's share over the run as its evidence ended.
 */
function metricColumns(results: readonly ReleaseResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.judged.map((j) => j.name)))];
}

export function summaryLines(results: readonly ReleaseResult[], elapsedMs: number): string[] {
  const metrics = metricColumns(results);
  const metricHeader = metrics.map((name) => name.padStart(Math.max(9, name.length + 2))).join('');
  const header = `${'release'.padEnd(14)}${'expected'.padEnd(13)}${'outcome'.padEnd(13)}${'time'.padStart(7)}${'canary requests'.padStart(17)}${'failures'.padStart(10)}${metricHeader}  phases`;
  const rows = results.flatMap((r) => [[
    r.image.padEnd(14),
    r.expected.padEnd(13),
    `${r.ending}${releaseOk(r) ? '' : ' ✗'}`.padEnd(13),
    `${(r.durationMs / 1000).toFixed(0)}s`.padStart(7),
    String(r.canaryRequests).padStart(17),
    String(r.canaryFailures).padStart(10),
    ...metrics.map((name) => shareText(r.judged.find((j) => j.name === name)?.canaryShare).padStart(Math.max(9, name.length + 2))),
    `  ${r.phases.join(' → ')}`,
  ].join(''), ...(r.reason === '' ? [] : [`  ↳ ${r.reason}`])]);
  const ok = results.every(releaseOk);
  const legend = metrics.length === 0 ? [] : [`(${metrics.join(', ')}: the canary's share of failed or slow requests over the run, as the judge counted them)`];
  return [
    '',
    header,
    ...rows,
    ...legend,
    ...abLines(results),
    '',
    `${ok ? 'OK' : 'FAILED'}: ${results.filter(releaseOk).length}/${results.length} releases ended as expected in ${(elapsedMs / 1000).toFixed(0)}s.`,
  ];
}

/**
 * What `--keep` prints: the kubeconfig and commands to try, each runnable as printed from the
 * repository's root (a test runs every one of them).
 */
export function keepLines(kubeconfigPath: string, app: { namespace: string; app: string; nextImage: string }): string[] {
  const kc = `--kubeconfig ${kubeconfigPath}`;
  const fledge = (args: string): string => `  KUBECONFIG=${kubeconfigPath} node bin/fledge.js ${args}`;
  const target = `deployment/${app.app} -n ${app.namespace}`;
  return [
    '',
    `Still running (--keep). Kubeconfig: ${kubeconfigPath}`,
    'Try:',
    `  kubectl ${kc} get canaries`,
    fledge('status'),
    `  kubectl ${kc} -n ${app.namespace} set image deployment/${app.app} ${app.app}=${app.nextImage}`,
    fledge(`pause ${target}`),
    fledge(`resume ${target}`),
    fledge(`promote ${target}`),
    fledge(`wait ${target}`),
    'Press Ctrl-C to stop.',
  ];
}
