// `fledge status [NAME] [-A] [-o …]`: the Canaries of a namespace (or all) as a table, or as
// kubectl prints objects (`-o json|yaml` a List, `-o name`).
import { createApiCaller } from '../adapters/kube/errors.ts';
import { createCanaryApi, parseStatus, type CanaryApi, type CanaryObject, type CanaryStatus } from '../adapters/kube/canary-resource.ts';
import { stepText } from '../ports/canary-status.ts';
import { FledgeError } from '../errors.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { evidenceLines } from './status-evidence.ts';
import { hookLines } from './status-hooks.ts';
import { analysisLines } from './status-analysis.ts';
import { appName, guarded, kubeFlagOptions, kubeFlagUsage, parseFlags, resolveKube, type KubeFlags } from './kube-flags.ts';
import { formatObject, kubeList, outputUsage, parseOutput } from './output.ts';

const formats = ['text', 'wide', 'json', 'yaml', 'name'] as const;
type StatusFormat = (typeof formats)[number];

const usage = `fledge status [NAME] ${kubeFlagUsage} [-A] ${outputUsage(formats)}`;

const options = {
  ...kubeFlagOptions,
  'all-namespaces': { type: 'boolean', short: 'A' },
  output: { type: 'string', short: 'o' },
} as const;

type Row = readonly string[];

/** "2/3", or "-" when no step is in progress (the numbering of kubectl's STEP column). */
function stepCell(canary: CanaryObject, status: CanaryStatus): string {
  const steps: unknown = canary.spec['steps'];
  return stepText(status.step === null ? -1 : status.step - 1, Array.isArray(steps) ? steps.length : undefined);
}

/** What an unstarted Canary shows: every status field at its default. */
const blank = parseStatus({}) as CanaryStatus;

function specText(canary: CanaryObject, field: string): string {
  const value: unknown = canary.spec[field];
  return typeof value === 'string' && value !== '' ? value : '-';
}

function judgeText(canary: CanaryObject): string {
  const judge: unknown = canary.spec['judge'];
  const kind: unknown = typeof judge === 'object' && judge !== null ? (judge as Record<string, unknown>)['kind'] : undefined;
  return typeof kind === 'string' ? kind : '-';
}

/** The analysis name, with where it came from once resolved: `spring (AnalysisTemplate, gen 2)`. */
function analysisCell(canary: CanaryObject): string {
  const name = specText(canary, 'analysis');
  const source = canary.status?.analysis?.source;
  if (source === undefined || source.kind === 'BuiltIn') return name;
  return `${name} (${source.kind}, gen ${source.generation})`;
}

/** `-o wide`'s extra columns, before the message. */
function wideCells(canary: CanaryObject, status: CanaryStatus): string[] {
  return [status.lastFailedRevision ?? '-', specText(canary, 'strategy'), analysisCell(canary), judgeText(canary)];
}

function rowOf(canary: CanaryObject, options: TableOptions): Row {
  const status = canary.status ?? blank;
  const cells = [
    canary.metadata.name ?? '',
    canary.statusInvalid === true ? 'Unknown' : status.phase,
    `${status.canaryWeight}%`,
    stepCell(canary, status),
    status.revision ?? '-',
    status.lastPromotedRevision ?? '-',
    status.pausedBy ?? '-',
    ...(options.wide ? wideCells(canary, status) : []),
    status.message,
  ];
  return options.withNamespace ? [canary.metadata.namespace ?? '', ...cells] : cells;
}

/** Columns padded to their widest cell; the last column (the message) is left as it is. */
export function formatTable(header: Row, rows: readonly Row[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

export interface TableOptions {
  /** A NAMESPACE column first (`-A`). */
  readonly withNamespace: boolean;
  /** `-o wide`: also FAILED (last failed revision), STRATEGY, ANALYSIS and JUDGE. */
  readonly wide: boolean;
}

function sorted(canaries: readonly CanaryObject[]): CanaryObject[] {
  return [...canaries].sort((a, b) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`));
}

/** The table `fledge status` prints. */
export function statusTable(canaries: readonly CanaryObject[], options: TableOptions): string[] {
  const header = ['NAME', 'PHASE', 'WEIGHT', 'STEP', 'REVISION', 'PROMOTED', 'PAUSED', ...(options.wide ? ['FAILED', 'STRATEGY', 'ANALYSIS', 'JUDGE'] : []), 'MESSAGE'];
  return formatTable(options.withNamespace ? ['NAMESPACE', ...header] : header, sorted(canaries).map((canary) => rowOf(canary, options)));
}

/** A Canary as `kubectl get -o json` shows it: the object, without managedFields. */
function asObject(canary: CanaryObject): object {
  const { managedFields: _managed, ...metadata } = canary.metadata;
  return { apiVersion: canary.apiVersion, kind: canary.kind, metadata, spec: canary.spec, ...(canary.status === undefined ? {} : { status: canary.status }) };
}

/** What `-o json|yaml|name` prints: one named Canary as an object, several as a List. */
export function statusObjects(canaries: readonly CanaryObject[], format: 'json' | 'yaml' | 'name', named: boolean): string[] {
  if (format === 'name') return sorted(canaries).map((c) => `canary.fledge.dev/${c.metadata.name ?? ''}`);
  const objects = sorted(canaries).map(asObject);
  return [formatObject(named && objects.length === 1 ? objects[0] : kubeList(objects), format)];
}

function print(io: CliIo, canaries: readonly CanaryObject[], flags: { output: StatusFormat; all: boolean; named: boolean; namespace: string }): void {
  const { output } = flags;
  if (output === 'json' || output === 'yaml' || output === 'name') {
    for (const line of statusObjects(canaries, output, flags.named)) io.out(line);
  } else if (canaries.length === 0) {
    io.out(flags.all ? 'No Canaries found.' : `No Canaries found in namespace ${flags.namespace}.`);
  } else {
    const hooks = flags.named ? canaries.flatMap((canary) => [...analysisLines(canary), ...evidenceLines(canary), ...hookLines(canary)]) : [];
    for (const line of [...statusTable(canaries, { withNamespace: flags.all, wide: output === 'wide' }), ...hooks]) io.out(line);
  }
}

function statusFlags(args: readonly string[]): { values: KubeFlags; all: boolean; output: StatusFormat; name: string | null } {
  const { values, positionals } = parseFlags(args, options, usage);
  const all = values['all-namespaces'] === true;
  const output = parseOutput(values.output, formats);
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
    print(io, canaries, { output, all, named: name !== null, namespace });
    return ExitCode.ok;
  }),
};

/** One named Canary (null when missing), or all of a namespace (every namespace when undefined). */
async function read(api: CanaryApi, what: { namespace: string | undefined; name: string | null }): Promise<CanaryObject[] | null> {
  if (what.name === null) return api.list(what.namespace);
  const one = await api.get(what.namespace ?? 'default', what.name);
  return one === null ? null : [one];
}
