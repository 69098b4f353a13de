import type { Command } from './io.ts';

/**
 * Every `fledge` sub-command, by name. Commands are loaded lazily so that `fledge --help`
 * and `fledge validate` start without the Kubernetes client.
 */
export const commands: Readonly<Record<string, () => Promise<Command>>> = {
  wait: async () => (await import('./wait-command.ts')).waitCommand,
  emulator: async () => (await import('./emulator-command.ts')).emulatorCommand,
  validate: async () => (await import('./validate-command.ts')).validateCommand,
};
