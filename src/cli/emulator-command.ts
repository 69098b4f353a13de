// `fledge emulator`: serves the Kubernetes API emulator on 127.0.0.1 until SIGINT/SIGTERM,
// with a kubeconfig written for kubectl and other clients.
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/values.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from '../sandbox/emulator/index.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { untilSignal } from './signals.ts';

const usage = 'fledge emulator [--port N] [--kubeconfig PATH] [--pod-ready-delay 2s] [--service-account NAMESPACE/NAME]';

export interface EmulatorCommandDeps {
  readonly start: (options: EmulatorOptions) => Promise<Emulator>;
  /** Resolves with the signal's name when the process is asked to stop. */
  readonly untilStopped: () => Promise<string>;
  readonly cwd: () => string;
}

interface ServiceAccount {
  readonly namespace: string;
  readonly name: string;
}

interface Flags {
  readonly port: number;
  readonly kubeconfig: string;
  readonly podReadyDelayMs: number;
  /** Also write a kubeconfig authenticating as this ServiceAccount (next to `kubeconfig`). */
  readonly serviceAccount: ServiceAccount | undefined;
}

type Values = { port?: string; kubeconfig?: string; 'pod-ready-delay'?: string; 'service-account'?: string };

function readValues(args: readonly string[]): Values | string {
  try {
    return parseArgs({
      args: [...args],
      options: { port: { type: 'string' }, kubeconfig: { type: 'string' }, 'pod-ready-delay': { type: 'string' }, 'service-account': { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function portOf(text = '0'): number | string {
  const port = Number(text);
  return /^\d+$/.test(text) && port <= 65535 ? port : `--port ${text}: not a port number`;
}

function delayOf(text = '0s'): number | string {
  const ms = text === '0' ? 0 : parseDuration(text);
  return ms ?? `--pod-ready-delay ${text}: not a duration (e.g. 500ms, 2s)`;
}

function accountOf(text: string | undefined): ServiceAccount | undefined | string {
  if (text === undefined) return undefined;
  const match = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-.a-z0-9]*)$/.exec(text);
  return match === null ? `--service-account ${text}: not NAMESPACE/NAME` : { namespace: match[1] ?? '', name: match[2] ?? '' };
}

function parseFlags(args: readonly string[], cwd: string): Flags | string {
  const values = readValues(args);
  if (typeof values === 'string') return values;
  const port = portOf(values.port);
  const podReadyDelayMs = delayOf(values['pod-ready-delay']);
  const serviceAccount = accountOf(values['service-account']);
  if (typeof port === 'string') return port;
  if (typeof podReadyDelayMs === 'string') return podReadyDelayMs;
  if (typeof serviceAccount === 'string') return serviceAccount;
  return { port, podReadyDelayMs, serviceAccount, kubeconfig: resolve(cwd, values.kubeconfig ?? '.fledge/kubeconfig') };
}

/** `NAMESPACE-NAME.kubeconfig` beside the admin's; its token works once the ServiceAccount exists. */
async function writeServiceAccountKubeconfig(emulator: Emulator, flags: Flags, io: CliIo): Promise<void> {
  const account = flags.serviceAccount;
  if (account === undefined) return;
  const path = join(dirname(flags.kubeconfig), `${account.namespace}-${account.name}.kubeconfig`);
  await emulator.writeKubeconfig(path, emulator.serviceAccountKubeconfig(account.namespace, account.name, { tls: true }));
  io.out(`kubeconfig for system:serviceaccount:${account.namespace}:${account.name}: ${path} (valid once the ServiceAccount exists)`);
}

/** The command with its surroundings injected (tests stop it without signals). */
export function createEmulatorCommand(deps: EmulatorCommandDeps): Command {
  return {
    summary: 'Serve a local Kubernetes API emulator (for kubectl, tests and the sandbox)',
    usage,
    run: async (args: readonly string[], io: CliIo): Promise<number> => {
      const flags = parseFlags(args, deps.cwd());
      if (typeof flags === 'string') {
        io.err(`fledge emulator: ${flags}\nUsage: ${usage}`);
        return ExitCode.usage;
      }
      const logger = { info: (): void => undefined, warn: (msg: string): void => io.err(msg) };
      let emulator: Emulator;
      try {
        emulator = await deps.start({ port: flags.port, podReadyDelayMs: flags.podReadyDelayMs, logger });
      } catch (error) {
        io.err(`fledge emulator: cannot listen on 127.0.0.1:${flags.port}: ${error instanceof Error ? error.message : String(error)}`);
        return ExitCode.failed;
      }
      await emulator.writeKubeconfig(flags.kubeconfig);
      io.out(`Kubernetes API emulator listening on ${emulator.url}`);
      io.out(`kubeconfig: ${flags.kubeconfig}`);
      io.out(`Try: kubectl --kubeconfig ${flags.kubeconfig} get ns`);
      await writeServiceAccountKubeconfig(emulator, flags, io);
      const signal = await deps.untilStopped();
      io.out(`Stopping (${signal}).`);
      await emulator.stop();
      return ExitCode.ok;
    },
  };
}

export const emulatorCommand: Command = createEmulatorCommand({
  start: startEmulator,
  untilStopped: untilSignal,
  cwd: () => process.cwd(),
});
