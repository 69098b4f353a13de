// Shell completion for `fledge` and `kubectl-fledge`: commands, their flags and the values of
// flags with a fixed set (`-o text|json`). Read from each command's usage line, which `--help`
// prints too, so completion and help cannot disagree.

/** What completion knows of one command. */
export interface CompletionEntry {
  readonly command: string;
  /** Every flag its usage names, long and short (`--namespace`, `-n`). */
  readonly flags: readonly string[];
  /** Flag → its allowed values, for flags written `--flag a|b|c` (lowercase words only). */
  readonly values: Readonly<Record<string, readonly string[]>>;
  /** Choices of its first argument, when the usage writes them `a|b` (`completion bash|zsh`). */
  readonly arguments: readonly string[];
}

export type Shell = 'bash' | 'zsh';
export const shells: readonly Shell[] = ['bash', 'zsh'];

const flagPattern = /(?<![\w-])(--?[A-Za-z][\w-]*)(?:[ =]([^\s\]]+))?/g;
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
  for (const [, flag] of usage.matchAll(flagPattern)) if (flag !== undefined) flags.add(flag);
  const first = usage.split(/\s+/)[2] ?? '';
  const choices = first.split('|').filter((v) => valuePattern.test(v));
  return { command, flags: [...flags].sort(), values, arguments: first.includes('|') ? choices : [] };
}

const quote = (words: readonly string[]): string => words.join(' ');

function valueCases(entries: readonly CompletionEntry[], indent: string): string[] {
  return entries.flatMap((entry) => Object.entries(entry.values).map(([flag, values]) => `${indent}${entry.command}:${flag}) values="${quote(values)}" ;;`));
}

/** A bash script: `source <(fledge completion bash)`. */
export function bashScript(entries: readonly CompletionEntry[]): string {
  return `# bash completion for fledge and kubectl-fledge. Load it with:
#   source <(fledge completion bash)
# or save it as /etc/bash_completion.d/fledge.
_fledge() {
  local cur prev command values flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  if [[ \${COMP_CWORD} -gt 0 ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  if [[ \${COMP_CWORD} -le 1 ]]; then
    COMPREPLY=( $(compgen -W "${quote(entries.map((e) => e.command))} --help --version" -- "\${cur}") )
    return 0
  fi
  command="\${COMP_WORDS[1]}"
  values=""
  case "\${command}:\${prev}" in
${valueCases(entries, '    ').join('\n')}
  esac
  if [[ -n "\${values}" ]]; then
    COMPREPLY=( $(compgen -W "\${values}" -- "\${cur}") )
    return 0
  fi
  case "\${command}" in
${entries.map((e) => `    ${e.command}) flags="${quote(e.flags)}" ;;`).join('\n')}
    *) flags="" ;;
  esac
  if [[ "\${cur}" == -* ]]; then
    COMPREPLY=( $(compgen -W "\${flags}" -- "\${cur}") )
    return 0
  fi
  case "\${command}:\${COMP_CWORD}" in
${entries.filter((e) => e.arguments.length > 0).map((e) => `    ${e.command}:2) COMPREPLY=( $(compgen -W "${quote(e.arguments)}" -- "\${cur}") ); return 0 ;;`).join('\n')}
  esac
  COMPREPLY=( $(compgen -f -- "\${cur}") )
  return 0
}
complete -o filenames -F _fledge fledge kubectl-fledge
`;
}

/** A zsh script: `source <(fledge completion zsh)`, or saved as `_fledge` in $fpath. */
export function zshScript(entries: readonly CompletionEntry[]): string {
  return `#compdef fledge kubectl-fledge
# zsh completion for fledge and kubectl-fledge. Load it with:
#   source <(fledge completion zsh)
# or save it as _fledge in a directory of $fpath.
_fledge() {
  local command prev
  local -a values flags
  if (( CURRENT <= 2 )); then
    compadd -- ${quote(entries.map((e) => e.command))} --help --version
    return
  fi
  command=\${words[2]}
  prev=\${words[CURRENT-1]}
  case "\${command}:\${prev}" in
${valueCases(entries, '    ').map((line) => line.replace(/values="([^"]*)"/, 'values=($1)')).join('\n')}
  esac
  if (( \${#values} > 0 )); then
    compadd -- \${values}
    return
  fi
  case "\${command}" in
${entries.map((e) => `    ${e.command}) flags=(${quote(e.flags)}) ;;`).join('\n')}
  esac
  if [[ \${words[CURRENT]} == -* ]]; then
    compadd -- \${flags}
    return
  fi
  case "\${command}:\${CURRENT}" in
${entries.filter((e) => e.arguments.length > 0).map((e) => `    ${e.command}:3) compadd -- ${quote(e.arguments)}; return ;;`).join('\n')}
  esac
  _files
}
if [[ "\${funcstack[1]}" == "_fledge" ]]; then
  _fledge "$@"
else
  compdef _fledge fledge kubectl-fledge
fi
`;
}

export function script(shell: Shell, entries: readonly CompletionEntry[]): string {
  return shell === 'bash' ? bashScript(entries) : zshScript(entries);
}
