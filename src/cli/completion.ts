// What shell completion knows of each command: its flags, the values of flags with a fixed set
// (`-o text|json`) and whether it takes a Canary's NAME. Read from the command's usage line,
// which `--help` prints too, so completion and help cannot disagree.

/** What completion knows of one command. */
export interface CompletionEntry {
  readonly command: string;
  /** Every flag its usage names, long and short (`--namespace`, `-n`). */
  readonly flags: readonly string[];
  /** Flag → its allowed values, for flags written `--flag a|b|c` (lowercase words only). */
  readonly values: Readonly<Record<string, readonly string[]>>;
  /** Flags followed by a value (`-n NAMESPACE`): the word after one is not a NAME. */
  readonly valueFlags: readonly string[];
  /** Choices of its first argument, when the usage writes them `a|b` (`completion bash|zsh`). */
  readonly arguments: readonly string[];
  /** Its first argument is a Canary's (Deployment's) NAME: completed from `fledge status -o name`. */
  readonly names: boolean;
}

// A flag, and the word after it unless that is another flag, a bracket or an alternative.
const flagPattern = /(?<![\w-])(--?[A-Za-z][\w-]*)(?:[ =]([^\s[\]|(-][^\s\]]*))?/g;
const valuePattern = /^[a-z][a-z0-9-]*$/;

/** Flag → allowed values, for flags written `--flag a|b|c`; `-o` and `--output` share theirs. */
function flagValues(usage: string): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  for (const [, flag, argument] of usage.matchAll(flagPattern)) {
    const choices = (argument ?? '').split('|').filter((v) => valuePattern.test(v));
    if (flag !== undefined && argument?.includes('|') === true && choices.length > 0) values[flag] = choices;
  }
  const output = values['-o'] ?? values['--output'];
  return output === undefined ? values : { ...values, '-o': output, '--output': output };
}

/** The completion entry of one command, from its usage line. */
export function entryOf(command: string, usage: string): CompletionEntry {
  const values = flagValues(usage);
  const flags = new Set(['--help', ...Object.keys(values)]);
  const valueFlags = new Set<string>(Object.keys(values));
  for (const [, flag, argument] of usage.matchAll(flagPattern)) {
    if (flag !== undefined) flags.add(flag);
    if (flag !== undefined && argument !== undefined) valueFlags.add(flag);
  }
  const first = usage.split(/\s+/)[2] ?? '';
  const choices = first.split('|').filter((v) => valuePattern.test(v));
  return {
    command, flags: [...flags].sort(), values, valueFlags: [...valueFlags].sort(),
    arguments: first.includes('|') ? choices : [], names: /^\[?(deployment\/)?NAME\]?$/.test(first),
  };
}
