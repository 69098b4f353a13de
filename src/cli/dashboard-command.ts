// `fledge dashboard [-n NS | -A] [--port N] [--address 127.0.0.1]`: a local web page of the
// releases, live, with plots and the CLI's actions, using the person's kubeconfig (their RBAC
// applies, as with kubectl). Serves until Ctrl-C.
import { currentNamespace } from '../adapters/kube/client.ts';
import { ReleaseFeed } from '../dashboard/feed.ts';
import { createReleaseReader } from '../dashboard/release-reader.ts';
import { startDashboard, type Dashboard } from '../dashboard/server.ts';
import { FledgeError } from '../errors.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { guarded, kubeFlagOptions, kubeFlagUsage, parseFlags, resolveKube } from './kube-flags.ts';
import { untilSignal } from './signals.ts';

const usage = `fledge dashboard ${kubeFlagUsage} [-A] [--port 7474] [--address 127.0.0.1]`;

const options = {
  ...kubeFlagOptions,
  'all-namespaces': { type: 'boolean', short: 'A' },
  port: { type: 'string' },
  address: { type: 'string' },
} as const;

export interface DashboardCommandDeps {
  /** Resolves when the dashboard should stop (Ctrl-C by default). */
  readonly stopped: () => Promise<unknown>;
  /** Told the running dashboard (tests read its URL and token). */
  readonly started?: (dashboard: Dashboard) => void;
}

function portOf(text: string | undefined): number {
  if (text === undefined) return 7474;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new FledgeError('FLEDGE_USAGE', `--port ${text}: expected a port number 0..65535 (0: any free port)`);
  return port;
}

function describeStart(dashboard: Dashboard, address: string): string[] {
  const lines = [`fledge dashboard: ${dashboard.url} (Ctrl-C stops it)`];
  if (address !== '127.0.0.1' && address !== 'localhost' && address !== '::1') {
    lines.push(`fledge dashboard: listening on ${address}: anyone who can reach it sees your releases with your credentials; buttons need the token ${dashboard.token}`);
  }
  return lines;
}

export function createDashboardCommand(deps: DashboardCommandDeps = { stopped: untilSignal }): Command {
  return {
    summary: 'Serve a local web dashboard of the releases: live list, plots, and the promote/abort/pause/resume/retry buttons.',
    usage,
    run: (args: readonly string[], io: CliIo) => guarded(io, async () => {
      const { values, positionals } = parseFlags(args, options, usage);
      if (positionals.length > 0) throw new FledgeError('FLEDGE_USAGE', `unexpected ${positionals.join(' ')}\nUsage: ${usage}`);
      const port = portOf(values.port);
      const address = values.address ?? '127.0.0.1';
      const { kc, namespace } = resolveKube(values, io);
      const all = values['all-namespaces'] === true;
      const reader = createReleaseReader(kc);
      // One list first: a person without access hears why at once (the watch would only retry).
      await reader.canaries.list(all ? undefined : namespace);
      const feed = new ReleaseFeed({ kc, namespace: all ? undefined : namespace, onError: (error) => io.err(`fledge dashboard: watch failed, restarting: ${error instanceof Error ? error.message : String(error)}`) });
      await feed.start();
      const scope = all ? 'all namespaces' : `namespace ${namespace || currentNamespace(kc)}`;
      const dashboard = await startDashboard({ feed, reader, scope, address, port });
      for (const line of describeStart(dashboard, address)) io.out(line);
      deps.started?.(dashboard);
      await deps.stopped();
      await dashboard.close();
      await feed.stop();
      return ExitCode.ok;
    }),
  };
}

export const dashboardCommand: Command = createDashboardCommand();
