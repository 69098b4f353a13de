// `fledge controller`: builds the Prometheus metrics source and the notifier from flags/FLEDGE_*
// settings and hands them to the manager (src/controller/manager.ts), which serves /healthz,
// /readyz and /metrics, optionally leads through a Lease, and runs until SIGTERM/SIGINT (then
// stops cleanly and exits 0). Losing the lease exits 1 so the pod restarts and stands by again.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { createPrometheusMetrics } from '../adapters/prometheus-metrics.ts';
import { createRoutedMetrics } from '../adapters/prometheus-routed.ts';
import type { HookRunner, MetricsSource, PrometheusTarget } from '../ports.ts';
import { createNotifier, type NotifierOptions } from '../adapters/notify/factory.ts';
import { createHttpHookRunner } from '../adapters/http-hooks.ts';
import { runManager, type ManagerExit } from '../controller/manager.ts';
import { FledgeError } from '../errors.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { guarded, parseFlags, resolveKube } from './kube-flags.ts';
import { readSettings, settingEnv, type ControllerSettings } from './controller/settings.ts';

const usage = [
  'fledge controller --prometheus-url URL [--kubeconfig FILE] [--context NAME] [-n NAMESPACE (default: all)]',
  '  [--metrics-addr 127.0.0.1:8080] [--health-addr 127.0.0.1:8081] [--leader-elect] [--leader-namespace fledge-system]',
  '  [--resync 30s] [--concurrency 4] [--log-level info] [--log-format json|pretty]',
  '  [--prometheus-token-file F | --prometheus-basic-auth-file F] [--prometheus-timeout 10s]',
  '  [--slack-token-file F] [--slack-webhook-file F] [--slack-channel C] [--slack-api-url URL] [--dashboard-link URL-TEMPLATE]',
  '  [--message-template TEXT] [--notify-interval 1s] [--webhook-secret-file F] [--webhook-allow PREFIX,…]',
  '  [--prometheus-allow PREFIX,… (default: the --prometheus-url)]',
  `  Every flag can also be set by environment: ${Object.values(settingEnv).join(', ')}.`,
].join('\n');

const stringFlags = Object.fromEntries(
  Object.keys(settingEnv).filter((name) => name !== 'leader-elect').map((name) => [name, { type: 'string' as const }]),
);
const options = { ...stringFlags, namespace: { type: 'string', short: 'n' }, 'leader-elect': { type: 'boolean' } } as const;

export interface ControllerCommandDeps {
  /** Calls `handler` once on SIGTERM or SIGINT; returns an unsubscribe. */
  readonly onStop: (handler: () => void) => () => void;
}

const defaults: ControllerCommandDeps = {
  onStop: (handler) => {
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
    return () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    };
  },
};

function loggerFor(settings: ControllerSettings, io: CliIo): Logger {
  const pretty = settings['log-format'] === 'pretty';
  const write = (line: string): void => {
    if (!pretty) return io.out(line.trimEnd());
    const { time, level, msg, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const fields = Object.entries(rest).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    io.out([new Date(Number(time)).toISOString(), pino.levels.labels[Number(level)] ?? String(level), typeof msg === 'string' ? msg : '', ...fields].join(' '));
  };
  return pino({ level: settings['log-level'], redact: ['token', 'secret', 'url', 'webhookUrl', 'botToken'] }, { write });
}

/** Reads a credential file (trimmed); the path is named in errors, the contents never are. */
async function secretFile(path: string | undefined, flag: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new FledgeError('FLEDGE_USAGE', `--${flag} ${path}: cannot read the file`, { cause: error });
  }
}

async function metricsFor(settings: ControllerSettings, log: Logger): Promise<MetricsSource> {
  const bearerToken = await secretFile(settings['prometheus-token-file'], 'prometheus-token-file');
  const basic = await secretFile(settings['prometheus-basic-auth-file'], 'prometheus-basic-auth-file');
  const [username = '', ...rest] = basic?.split(':') ?? [];
  const own = createPrometheusMetrics({
    url: settings['prometheus-url'],
    timeoutMs: settings['prometheus-timeout'],
    logger: log,
    // Canaries measured over the same window share one query per count (templates with `batch`).
    batch: true,
    ...(bearerToken === undefined ? {} : { bearerToken }),
    ...(basic === undefined ? {} : { basicAuth: { username, password: rest.join(':') } }),
  });
  // A template's own Prometheus: its timeout, at most the controller's, bounds every query.
  const make = (target: PrometheusTarget): MetricsSource => createPrometheusMetrics({
    url: target.url,
    timeoutMs: Math.min(target.timeoutMs ?? settings['prometheus-timeout'], settings['prometheus-timeout']),
    logger: log,
    batch: true,
    ...(target.bearerToken === undefined ? {} : { bearerToken: target.bearerToken }),
    ...(target.basicAuth === undefined ? {} : { basicAuth: target.basicAuth }),
  });
  return createRoutedMetrics({ own, make });
}

async function notifierFor(settings: ControllerSettings, log: Logger): Promise<{ notifier: ReturnType<typeof createNotifier>; hookRunner: HookRunner }> {
  const botToken = await secretFile(settings['slack-token-file'], 'slack-token-file');
  const webhookUrl = await secretFile(settings['slack-webhook-file'], 'slack-webhook-file');
  const webhookSecret = await secretFile(settings['webhook-secret-file'], 'webhook-secret-file');
  // Hooks are signed with the webhooks' secret: one key for receivers to verify.
  const notifier = createNotifier({ ...notifierOptions(settings, { botToken, webhookUrl, webhookSecret }), logger: log });
  return { notifier, hookRunner: createHttpHookRunner({ secret: webhookSecret }) };
}

/** What the notifier is built with: every notification setting of docs/notifications.md, from its flag. */
export function notifierOptions(settings: ControllerSettings, secrets: { botToken?: string | undefined; webhookUrl?: string | undefined; webhookSecret?: string | undefined }): NotifierOptions {
  return {
    slack: {
      botToken: secrets.botToken,
      webhookUrl: secrets.webhookUrl,
      apiUrl: settings['slack-api-url'],
      defaultChannel: settings['slack-channel'],
      links: { dashboard: settings['dashboard-link'] },
    },
    webhookSecret: secrets.webhookSecret,
    template: settings['message-template'],
    perChannelIntervalMs: settings['notify-interval'],
  };
}

/** Aborts when SIGTERM/SIGINT arrives (through deps.onStop); `dispose` unsubscribes. */
function stopSignal(deps: ControllerCommandDeps): { signal: AbortSignal; dispose: () => void } {
  const abort = new AbortController();
  const dispose = deps.onStop(() => abort.abort());
  return { signal: abort.signal, dispose };
}

const exitCodes: Readonly<Record<ManagerExit, number>> = {
  stopped: ExitCode.ok,
  // The pod restarts and stands by again.
  'lost-lease': ExitCode.failed,
  'start-failed': ExitCode.unreachable,
};

export function createControllerCommand(deps: ControllerCommandDeps = defaults): Command {
  return {
    summary: 'Run the controller (kubeconfig or in-cluster).',
    usage,
    run: (args, io) => guarded(io, async () => {
      const { values, positionals } = parseFlags(args, options, usage);
      if (positionals.length > 0) throw new FledgeError('FLEDGE_USAGE', `unexpected argument ${positionals[0] ?? ''}\nUsage: ${usage}`);
      const settings = readSettings(values, io.env);
      const { kc } = resolveKube({ kubeconfig: settings.kubeconfig, context: settings.context }, io);
      const log = loggerFor(settings, io);
      const { notifier, hookRunner } = await notifierFor(settings, log);
      const stop = stopSignal(deps);
      try {
        const exit = await runManager({
          kubeConfig: kc,
          controller: {
            metrics: await metricsFor(settings, log),
            notifier,
            hookRunner,
            ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
            resyncMs: settings.resync,
            concurrency: settings.concurrency,
            webhookAllowList: settings['webhook-allow'],
            prometheusAllowList: settings['prometheus-allow'] ?? [settings['prometheus-url']],
            controllerNamespace: settings['leader-namespace'],
          },
          probes: { healthAddr: settings['health-addr'], metricsAddr: settings['metrics-addr'] },
          leaderElection: settings['leader-elect'] ? { namespace: settings['leader-namespace'], name: 'fledge-controller', identity: `${hostname()}-${process.pid}` } : null,
          log,
          signal: stop.signal,
          close: () => notifier.close(),
        });
        return exitCodes[exit];
      } finally {
        stop.dispose();
      }
    }),
  };
}

export const controllerCommand: Command = createControllerCommand();
