// `fledge completion bash|zsh`: prints a shell completion script for every command.
import { FledgeError } from '../errors.ts';
import { entryOf } from './completion.ts';
import { script, shells, type Shell } from './completion-scripts.ts';
import { ExitCode, type Command } from './io.ts';
import { commands } from './registry.ts';

const usage = `fledge completion ${shells.join('|')}`;

function shellOf(args: readonly string[]): Shell {
  const [shell, extra] = args;
  const found = shells.find((s) => s === shell);
  if (found === undefined || extra !== undefined) throw new FledgeError('FLEDGE_USAGE', `expected one of ${shells.join(', ')}\nUsage: ${usage}`);
  return found;
}

export const completionCommand: Command = {
  summary: 'Print a shell completion script (bash or zsh) for commands, flags and -o values.',
  usage,
  run: async (args, io) => {
    let shell: Shell;
    try {
      shell = shellOf(args);
    } catch (error) {
      io.err(`fledge: ${error instanceof Error ? error.message : String(error)}`);
      return ExitCode.usage;
    }
    const entries = await Promise.all(Object.entries(commands).map(async ([name, load]) => entryOf(name, (await load()).usage)));
    io.out(script(shell, entries).trimEnd());
    return ExitCode.ok;
  },
};
