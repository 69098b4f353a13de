// `fledge emulator`: serves the Kubernetes API emulator on 127.0.0.1 until SIGINT/SIGTERM,
// with a kubeconfig written for kubectl and other clients.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/values.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from '../sandbox/emulator/index.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';

const usage = 'fledge emulator [--port N] [--kubeconfig PATH] [--pod-ready-delay 2s]';

export interface EmulatorCommandDeps {
  readonly start: (options: EmulatorOptions) => Promise<Emulator>;
  /** Resolves with the signal's name when the process is asked to stop. */
  readonly untilStopped: () => Promise<string>;
  readonly cwd: () => string;
}

function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

interface Flags {
  readonly port: number;
  readonly kubeconfig: string;
  readonly podReadyDelayMs: number;
}

function parseFlags(args: readonly string[], cwd: string): Flags | string {
  let values: { port?: string; kubeconfig?: string; 'pod-ready-delay'?: string };
  try {
    values = parseArgs({
      args: [...args],
      options: { port: { type: 'string' }, kubeconfig: { type: 'string' }, 'pod-ready-delay': { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port ${values.port ?? ''}: not a port number`;
  const delayText = values['pod-ready-delay'] ?? '0s';
  const podReadyDelayMs = delayText === '0' ? 0 : parseDuration(delayText);
  if (podReadyDelayMs === null) return `--pod-ready-delay ${delayText}: not a duration (e.g. 500ms, 2s)`;
  return { port, podReadyDelayMs, kubeconfig: resolve(cwd, values.kubeconfig ?? '.fledge/kubeconfig') };
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
      const emulator = await deps.start({
        port: flags.port,
        podReadyDelayMs: flags.podReadyDelayMs,
        logger: { info: () => undefined, warn: (msg) => io.err(msg) },
      });
      await emulator.writeKubeconfig(flags.kubeconfig);
      io.out(`Kubernetes API emulator listening on ${emulator.url}`);
      io.out(`kubeconfig: ${flags.kubeconfig}`);
      io.out(`Try: kubectl --kubeconfig ${flags.kubeconfig} get ns`);
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
