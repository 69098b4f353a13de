// The end-of-run table and the `--keep` instructions.
import type { Ending } from './release.ts';
import type { Outcome } from './scenarios.ts';

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
}

export function releaseOk(result: ReleaseResult): boolean {
  return result.ending === result.expected && (result.canaryUnmatched ?? 0) === 0;
}

function abLines(results: readonly ReleaseResult[]): string[] {
  return results.flatMap((r) => (r.canaryUnmatched === undefined ? [] : [
    `A/B ${r.image}: ${r.canaryRequests - r.canaryUnmatched} of the canary's ${r.canaryRequests} requests matched; ${r.canaryUnmatched} did not${r.canaryUnmatched === 0 ? '' : ' ✗'}`,
  ]));
}

export function summaryLines(results: readonly ReleaseResult[], elapsedMs: number): string[] {
  const header = `${'release'.padEnd(14)}${'expected'.padEnd(13)}${'outcome'.padEnd(13)}${'time'.padStart(7)}${'canary requests'.padStart(17)}${'failures'.padStart(10)}  phases`;
  const rows = results.map((r) => [
    r.image.padEnd(14),
    r.expected.padEnd(13),
    `${r.ending}${releaseOk(r) ? '' : ' ✗'}`.padEnd(13),
    `${(r.durationMs / 1000).toFixed(0)}s`.padStart(7),
    String(r.canaryRequests).padStart(17),
    String(r.canaryFailures).padStart(10),
    `  ${r.phases.join(' → ')}`,
  ].join(''));
  const ok = results.every(releaseOk);
  return [
    '',
    header,
    ...rows,
    ...abLines(results),
    '',
    `${ok ? 'OK' : 'FAILED'}: ${results.filter(releaseOk).length}/${results.length} releases ended as expected in ${(elapsedMs / 1000).toFixed(0)}s.`,
  ];
}

export function keepLines(kubeconfigPath: string, app: { namespace: string; app: string; nextImage: string }): string[] {
  const kc = `--kubeconfig ${kubeconfigPath}`;
  return [
    '',
    `Still running (--keep). Kubeconfig: ${kubeconfigPath}`,
    'Try:',
    `  kubectl ${kc} get canaries`,
    `  KUBECONFIG=${kubeconfigPath} node bin/fledge.js status`,
    `  kubectl ${kc} -n ${app.namespace} set image deployment/${app.app} ${app.app}=${app.nextImage}`,
    `  KUBECONFIG=${kubeconfigPath} node bin/fledge.js wait deployment/${app.app} -n ${app.namespace}`,
    'Press Ctrl-C to stop.',
  ];
}
