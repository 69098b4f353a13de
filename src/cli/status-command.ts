// `fledge status [NAME] [-A]`: the Canaries of a namespace (or all) as a table, or one in detail.
import { createApiCaller } from '../adapters/kube/errors.ts';
import { createCanaryApi, parseStatus, type CanaryApi, type CanaryObject, type CanaryStatus } from '../adapters/kube/canary-resource.ts';
import { FledgeError } from '../errors.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { hookLines } from './status-hooks.ts';
import { appName, guarded, kubeFlagOptions, kubeFlagUsage, parseFlags, resolveKube, type KubeFlags } from './kube-flags.ts';

const usage = `fledge status [NAME] ${kubeFlagUsage} [-A] [--output text|json]`;

const options = {
  ...kubeFlagOptions,
  'all-namespaces': { type: 'boolean', short: 'A' },
  output: { type: 'string', short: 'o' },
} as const;

type Row = readonly string[];

function stepCell(canary: CanaryObject, status: CanaryStatus): string {
  if (status.step < 0) return '-';
  const steps: unknown = canary.spec['steps'];
  return Array.isArray(steps) ? `${status.step + 1}/${steps.length}` : String(status.step + 1);
}

/** What an unstarted Canary shows: every status field at its default. */
const blank = parseStatus({}) as CanaryStatus;

function rowOf(canary: CanaryObject, withNamespace: boolean): Row {
  const status = canary.status ?? blank;
  const cells = [
    canary.metadata.name ?? '',
    canary.statusInvalid === true ? 'Unknown' : status.phase,
    `${status.canaryWeight}%`,
    stepCell(canary, status),
    status.revision ?? '-',
    status.lastPromotedRevision ?? '-',
    status.pausedBy ?? '-',
    status.message,
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

function statusFlags(args: readonly string[]): { values: KubeFlags; all: boolean; output: 'text' | 'json'; name: string | null } {
  const { values, positionals } = parseFlags(args, options, usage);
  const all = values['all-namespaces'] === true;
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new FledgeError('FLEDGE_USAGE', `--output ${output}: expected text or json`);
  const name = positionals.length === 0 ? null : appName(positionals, usage);
  if (all && name !== null) throw new FledgeError('FLEDGE_USAGE', 'a NAME cannot be combined with -A');
  return { values, all, output, name };
}

export const statusCommand: Command = {
  summary: 'Show releases: phase, weight, step, revisions and the latest reason.',
  usage,
  run: (args, io) => guarded(io, async () => {
    const { values, all, output, name } = statusFlags(args);
    const { kc, namespace } = resolveKube(values, io);
    const canaries = await read(createCanaryApi(kc, createApiCaller()), { namespace: all ? undefined : namespace, name });
    if (canaries === null) {
      io.err(`fledge: no Canary ${namespace}/${name ?? ''} (is the Deployment annotated with fledge.dev/canary: "true"?)`);
      return ExitCode.failed;
    }
    if (output === 'json') printJson(io, canaries);
    else if (canaries.length === 0) io.out(all ? 'No Canaries found.' : `No Canaries found in namespace ${namespace}.`);
    else for (const line of [...statusTable(canaries, all), ...(name === null ? [] : canaries.flatMap(hookLines))]) io.out(line);
    return ExitCode.ok;
  }),
};

/** One named Canary (null when missing), or all of a namespace (every namespace when undefined). */
async function read(api: CanaryApi, what: { namespace: string | undefined; name: string | null }): Promise<CanaryObject[] | null> {
  if (what.name === null) return api.list(what.namespace);
  const one = await api.get(what.namespace ?? 'default', what.name);
  return one === null ? null : [one];
}
