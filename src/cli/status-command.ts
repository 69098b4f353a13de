// `fledge status [NAME] [-A]`: the Canaries of a namespace (or all) as a table, or one in detail.
import { createApiCaller } from '../adapters/kube/errors.ts';
import { createCanaryApi, type CanaryObject } from '../adapters/kube/canary-resource.ts';
import { FledgeError } from '../errors.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { appName, guarded, kubeFlagOptions, kubeFlagUsage, parseFlags, resolveKube } from './kube-flags.ts';

const usage = `fledge status [NAME] ${kubeFlagUsage} [-A] [--output text|json]`;

const options = {
  ...kubeFlagOptions,
  'all-namespaces': { type: 'boolean', short: 'A' },
  output: { type: 'string', short: 'o' },
} as const;

type Row = readonly string[];

function rowOf(canary: CanaryObject, withNamespace: boolean): Row {
  const status = canary.status;
  const steps: unknown = canary.spec['steps'];
  const total = Array.isArray(steps) ? steps.length : 0;
  const step = status === undefined || status.step < 0 ? '-' : `${status.step + 1}/${total}`;
  const cells = [
    canary.metadata.name ?? '',
    canary.statusInvalid === true ? 'Unknown' : (status?.phase ?? 'Initializing'),
    `${status?.canaryWeight ?? 0}%`,
    step,
    status?.revision ?? '-',
    status?.lastPromotedRevision ?? '-',
    status?.pausedBy ?? '-',
    status?.message ?? '',
  ];
  return withNamespace ? [canary.metadata.namespace ?? '', ...cells] : cells;
}

/** Columns padded to their widest cell; the last column (the message) is left as it is. */
export function formatTable(header: Row, rows: readonly Row[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

/** The table `fledge status` prints. */
export function statusTable(canaries: readonly CanaryObject[], withNamespace: boolean): string[] {
  const header = ['NAME', 'PHASE', 'WEIGHT', 'STEP', 'REVISION', 'PROMOTED', 'PAUSED', 'MESSAGE'];
  const sorted = [...canaries].sort((a, b) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`));
  return formatTable(withNamespace ? ['NAMESPACE', ...header] : header, sorted.map((canary) => rowOf(canary, withNamespace)));
}

function printJson(io: CliIo, canaries: readonly CanaryObject[]): void {
  io.out(JSON.stringify(canaries.map((c) => ({ namespace: c.metadata.namespace, name: c.metadata.name, spec: c.spec, status: c.status ?? null })), null, 2));
}

export const statusCommand: Command = {
  summary: 'Show releases: phase, weight, step, revisions and the latest reason.',
  usage,
  run: (args, io) => guarded(io, async () => {
    const { values, positionals } = parseFlags(args, options, usage);
    const all = values['all-namespaces'] === true;
    const output = values.output ?? 'text';
    if (output !== 'text' && output !== 'json') throw new FledgeError('FLEDGE_USAGE', `--output ${output}: expected text or json`);
    const name = positionals.length === 0 ? null : appName(positionals, usage);
    if (all && name !== null) throw new FledgeError('FLEDGE_USAGE', 'a NAME cannot be combined with -A');
    const { kc, namespace } = resolveKube(values, io);
    const api = createCanaryApi(kc, createApiCaller());
    let canaries: CanaryObject[];
    if (name === null) {
      canaries = await api.list(all ? undefined : namespace);
    } else {
      const one = await api.get(namespace, name);
      if (one === null) {
        io.err(`fledge: no Canary ${namespace}/${name} (is the Deployment annotated with fledge.dev/canary: "true"?)`);
        return ExitCode.failed;
      }
      canaries = [one];
    }
    if (output === 'json') printJson(io, canaries);
    else if (canaries.length === 0) io.out(all ? 'No Canaries found.' : `No Canaries found in namespace ${namespace}.`);
    else for (const line of statusTable(canaries, all)) io.out(line);
    return ExitCode.ok;
  }),
};
