// `fledge controller`: builds the Prometheus metrics source, the notifier and the controller
// from flags/FLEDGE_* settings, serves /healthz, /readyz and /metrics, optionally leads
// through a Lease, and runs until SIGTERM/SIGINT (then stops cleanly and exits 0). Losing the
// lease exits 1 so the pod restarts and stands by again.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import type { KubeConfig } from '@kubernetes/client-node';
import { createPrometheusMetrics } from '../adapters/prometheus-metrics.ts';
import type { MetricsSource } from '../ports.ts';
import { createNotifier } from '../adapters/notify/factory.ts';
import { createController, type Controller } from '../controller/controller.ts';
import { LeaderElector } from '../controller/leader-election.ts';
import { FledgeError } from '../errors.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { guarded, parseFlags, resolveKube } from './kube-flags.ts';
import { startProbes, telemetryOf, type Probes } from './controller/probes.ts';
import type { ElectionState } from '../controller/http-server.ts';
import { readSettings, settingEnv, type ControllerSettings } from './controller/settings.ts';

const usage = [
  'fledge controller --prometheus-url URL [--kubeconfig FILE] [--context NAME] [-n NAMESPACE (default: all)]',
  '  [--metrics-addr 127.0.0.1:8080] [--health-addr 127.0.0.1:8081] [--leader-elect] [--leader-namespace fledge-system]',
  '  [--resync 30s] [--concurrency 4] [--log-level info] [--log-format json|pretty]',
  '  [--prometheus-token-file F | --prometheus-basic-auth-file F] [--prometheus-timeout 10s]',
  '  [--slack-token-file F] [--slack-webhook-file F] [--slack-channel C] [--webhook-secret-file F] [--webhook-allow PREFIX,…]',
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
  return createPrometheusMetrics({
    url: settings['prometheus-url'],
    timeoutMs: settings['prometheus-timeout'],
    logger: log,
    ...(bearerToken === undefined ? {} : { bearerToken }),
    ...(basic === undefined ? {} : { basicAuth: { username, password: rest.join(':') } }),
  });
}

async function notifierFor(settings: ControllerSettings, log: Logger): Promise<ReturnType<typeof createNotifier>> {
  const botToken = await secretFile(settings['slack-token-file'], 'slack-token-file');
  const webhookUrl = await secretFile(settings['slack-webhook-file'], 'slack-webhook-file');
  const webhookSecret = await secretFile(settings['webhook-secret-file'], 'webhook-secret-file');
  return createNotifier({ slack: { botToken, webhookUrl, defaultChannel: settings['slack-channel'] }, webhookSecret, logger: log });
}

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
      const notifier = await notifierFor(settings, log);
      const state: RunState = { election: settings['leader-elect'] ? 'standby' : 'disabled', controller: null };
      const probes = await startProbes({
        healthAddr: settings['health-addr'],
        metricsAddr: settings['metrics-addr'],
        readiness: () => ({ cachesSynced: state.controller?.synced ?? false, election: state.election }),
      });
      // Without leader election this replica always acts; with it, only while its lease is fresh.
      const gate: Gate = { mayAct: () => !settings['leader-elect'] };
      state.controller = await createController({
        mayAct: () => gate.mayAct(),
        kubeConfig: kc,
        metrics: await metricsFor(settings, log),
        notifier,
        ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
        resyncMs: settings.resync,
        concurrency: settings.concurrency,
        log,
        telemetry: telemetryOf(probes.metrics),
        webhookAllowList: settings['webhook-allow'],
      });
      return runUntilStopped({ settings, controller: state.controller, state, gate, probes, log, deps, kc, close: () => notifier.close() });
    }),
  };
}

interface Gate {
  mayAct: () => boolean;
}

interface RunState {
  election: ElectionState;
  controller: Controller | null;
}

interface RunInput {
  readonly settings: ControllerSettings;
  readonly controller: Controller;
  readonly state: RunState;
  readonly gate: Gate;
  readonly probes: Probes;
  readonly log: Logger;
  readonly deps: ControllerCommandDeps;
  readonly kc: KubeConfig;
  readonly close: () => Promise<void>;
}

async function runUntilStopped(input: RunInput): Promise<number> {
  const { settings, controller, log } = input;
  const { probes, state } = input;
  const stopping: Array<() => Promise<void>> = [];
  const lead = (leading: boolean): void => {
    probes.metrics.setLeader(leading);
    if (state.election !== 'disabled') state.election = leading ? 'leading' : 'stopped';
  };
  log.info({ health: probes.health, metrics: probes.metricsUrl, namespace: settings.namespace ?? 'all', leaderElect: settings['leader-elect'] }, 'fledge controller starting');
  const code = await new Promise<number>((resolve) => {
    const unsubscribe = input.deps.onStop(() => resolve(ExitCode.ok));
    stopping.push(() => Promise.resolve(unsubscribe()));
    const begin = (): void => {
      lead(true);
      controller.start().catch((error: unknown) => {
        log.error({ err: error instanceof Error ? error.message : String(error) }, 'controller failed to start');
        resolve(ExitCode.unreachable);
      });
    };
    if (!settings['leader-elect']) {
      begin();
      return;
    }
    const elector = new LeaderElector({
      kc: input.kc,
      namespace: settings['leader-namespace'],
      name: 'fledge-controller',
      identity: `${hostname()}-${process.pid}`,
      onStartedLeading: () => {
        log.info('leading');
        begin();
      },
      onStoppedLeading: () => {
        log.warn('lost the lease; stopping');
        lead(false);
        resolve(ExitCode.failed);
      },
      onError: (error) => log.warn({ code: error.code, err: error.message }, 'lease attempt failed'),
    });
    input.gate.mayAct = () => elector.mayAct();
    elector.start();
    stopping.push(() => elector.release());
  });
  log.info('fledge controller stopping');
  await controller.stop();
  for (const stop of stopping.splice(0)) await stop();
  await input.close();
  await probes.close();
  return code;
}

export const controllerCommand: Command = createControllerCommand();
