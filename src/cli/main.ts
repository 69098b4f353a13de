import { packageVersion } from '../version.ts';
import { commands } from './registry.ts';
import { ExitCode, type CliIo } from './io.ts';

export function version(): string {
  return packageVersion();
}

async function helpText(): Promise<string> {
  const rows = await Promise.all(
    Object.entries(commands).map(async ([name, load]) => `  ${name.padEnd(12)}${(await load()).summary}`),
  );
  return [
    'fledge — progressive delivery for Kubernetes',
    '',
    'Usage: fledge <command> [flags]     (also: kubectl fledge <command>)',
    '',
    'Commands:',
    ...rows,
    '',
    'Flags: --help, --version. Run `fledge <command> --help` for a command\'s flags.',
    'Exit codes: 0 ok/promoted, 1 rolled back/failed, 2 timed out, 3 paused, 4 bad usage or config, 5 cluster unreachable.',
  ].join('\n');
}

const helpFlags = new Set([undefined, '--help', '-h', 'help']);
const versionFlags = new Set(['--version', 'version']);

async function runCommand(name: string, rest: readonly string[], io: CliIo): Promise<number> {
  const load = commands[name];
  if (load === undefined) {
    io.err(`fledge: unknown command "${name}". Known: ${Object.keys(commands).join(', ')}.`);
    return ExitCode.usage;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}`);
    return ExitCode.ok;
  }
  return command.run(rest, io);
}

/** Runs one invocation of the CLI and resolves to its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (helpFlags.has(name)) {
    io.out(await helpText());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name !== undefined && versionFlags.has(name)) {
    io.out(`fledge ${version()}`);
    return ExitCode.ok;
  }
  // kubectl's -v sets log verbosity; a version flag spelled -v would surprise kubectl users.
  if (name === '-v' || name?.startsWith('-v=') === true) {
    io.err('fledge: -v is not a flag of fledge (kubectl\'s -v sets verbosity); use --version for the version.');
    return ExitCode.usage;
  }
  return runCommand(name ?? '', rest, io);
}
