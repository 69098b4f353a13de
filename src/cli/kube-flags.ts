// The flags every cluster-facing command shares, read like kubectl reads them:
// --kubeconfig (else $KUBECONFIG, in-cluster, ~/.kube/config), --context, -n/--namespace
// (else the context's namespace, else "default"), -A/--all-namespaces where a command lists.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { currentNamespace, loadKubeConfig } from '../adapters/kube/client.ts';
import { FledgeError, isFledgeError } from '../errors.ts';
import { parseDuration } from '../config/values.ts';
import { ExitCode, type CliIo } from './io.ts';

export const kubeFlagOptions = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
} as const satisfies ParseArgsConfig['options'];

export const kubeFlagUsage = '[--kubeconfig FILE] [--context NAME] [-n NAMESPACE]';

export interface KubeFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
}

export interface KubeTarget {
  readonly kc: KubeConfig;
  /** -n, else the current context's namespace, else "default". */
  readonly namespace: string;
}

/** Loads the caller's configuration; throws FLEDGE_USAGE when none can be loaded. */
export function resolveKube(flags: KubeFlags, io: CliIo): KubeTarget {
  const { kc } = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context, env: io.env });
  const namespace = flags.namespace !== undefined && flags.namespace !== '' ? flags.namespace : currentNamespace(kc);
  return { kc, namespace };
}

/** parseArgs with strict flags; a bad flag is FLEDGE_USAGE naming the command's usage. */
export function parseFlags<const O extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: O,
  usage: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FledgeError('FLEDGE_USAGE', `${reason}\nUsage: ${usage}`, { cause: error });
  }
}

/** A duration flag (`15m`, `30s`); FLEDGE_USAGE when unreadable. */
export function durationFlag(name: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new FledgeError('FLEDGE_USAGE', `--${name} ${text}: not a duration (e.g. 30s, 15m, 1h)`);
  return ms;
}

/**
 * `deployment/NAME`, `deploy/NAME`, `deployments.apps/NAME`, `canary/NAME` or a bare NAME →
 * NAME (a Canary has its Deployment's name). FLEDGE_USAGE for other kinds or a missing name.
 */
export function appName(positionals: readonly string[], usage: string): string {
  const [ref, extra] = positionals;
  if (ref === undefined || extra !== undefined) throw new FledgeError('FLEDGE_USAGE', `expected exactly one deployment/NAME\nUsage: ${usage}`);
  const slash = ref.indexOf('/');
  const kind = slash < 0 ? '' : ref.slice(0, slash).toLowerCase();
  const name = slash < 0 ? ref : ref.slice(slash + 1);
  const kinds = ['', 'deployment', 'deployments', 'deploy', 'deployment.apps', 'deployments.apps', 'canary', 'canaries', 'canary.fledge.dev', 'canaries.fledge.dev'];
  if (!kinds.includes(kind)) throw new FledgeError('FLEDGE_USAGE', `${ref}: expected deployment/NAME`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) throw new FledgeError('FLEDGE_USAGE', `${ref}: "${name}" is not a valid name`);
  return name;
}

/** Exit code for an error a command did not handle: usage/config → 4, API unreachable → 5, else 1. */
export function exitCodeFor(error: unknown): number {
  if (!isFledgeError(error)) return ExitCode.failed;
  if (error.code === 'FLEDGE_USAGE' || error.code === 'FLEDGE_CONFIG_INVALID' || error.code === 'FLEDGE_CATALOG_INVALID') return ExitCode.usage;
  if (error.code === 'FLEDGE_API_UNAVAILABLE') return ExitCode.unreachable;
  return ExitCode.failed;
}

/** Runs a command body, reporting a thrown error on stderr with its exit code. */
export async function guarded(io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`fledge: ${message}`);
    return exitCodeFor(error);
  }
}
