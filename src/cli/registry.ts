import type { Command } from './io.ts';

/**
 * Every `fledge` sub-command, by name. Commands are loaded lazily so that `fledge --help`
 * and `fledge validate` start without the Kubernetes client.
 */
export const commands: Readonly<Record<string, () => Promise<Command>>> = {
  wait: async () => (await import('./wait-command.ts')).waitCommand,
  status: async () => (await import('./status-command.ts')).statusCommand,
  promote: async () => (await import('./action-commands.ts')).promoteCommand,
  abort: async () => (await import('./action-commands.ts')).abortCommand,
  retry: async () => (await import('./action-commands.ts')).retryCommand,
  pause: async () => (await import('./action-commands.ts')).pauseCommand,
  resume: async () => (await import('./action-commands.ts')).resumeCommand,
  controller: async () => (await import('./controller-command.ts')).controllerCommand,
  emulator: async () => (await import('./emulator-command.ts')).emulatorCommand,
  validate: async () => (await import('./validate-command.ts')).validateCommand,
  sandbox: async () => (await import('./sandbox-command.ts')).sandboxCommand,
  loadtester: async () => (await import('./loadtester-command.ts')).loadtesterCommand,
  completion: async () => (await import('./completion-command.ts')).completionCommand,
  dashboard: async () => (await import('./dashboard-command.ts')).dashboardCommand,
  report: async () => (await import('./report-command.ts')).reportCommand,
};
