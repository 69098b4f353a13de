// The bash and zsh completion scripts `fledge completion` prints, from the commands' entries:
// commands, flags, fixed flag values, first-argument choices, and Canary names from the cluster
// (`fledge status -o name`, with the -n/--namespace, --kubeconfig and --context already typed).
import type { CompletionEntry } from './completion.ts';

export type Shell = 'bash' | 'zsh';
export const shells: readonly Shell[] = ['bash', 'zsh'];

const words = (list: readonly string[]): string => list.join(' ');
/** The flags whose value `fledge status -o name` must see too. */
const passed = '-n|--namespace|--kubeconfig|--context';

function valueCases(entries: readonly CompletionEntry[], assign: (values: readonly string[]) => string): string[] {
  return entries.flatMap((e) => Object.entries(e.values).map(([flag, values]) => `    ${e.command}:${flag}) ${assign(values)} ;;`));
}

const namesOf = (entries: readonly CompletionEntry[]): string => entries.filter((e) => e.names).map((e) => e.command).join('|');

export function bashScript(entries: readonly CompletionEntry[]): string {
  return `# bash completion for fledge and kubectl-fledge. Load it with:
#   source <(fledge completion bash)
# or save it as /etc/bash_completion.d/fledge.
_fledge_names() {
  local i args=()
  for (( i = 2; i < COMP_CWORD; i++ )); do
    case "\${COMP_WORDS[i]}" in
      ${passed}) args+=("\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}") ;;
    esac
  done
  "\${COMP_WORDS[0]}" status -o name "\${args[@]}" 2>/dev/null | sed 's|^canary\\.fledge\\.dev/||'
}
_fledge() {
  local cur prev command values flags valueflags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  if [[ \${COMP_CWORD} -gt 0 ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  if [[ \${COMP_CWORD} -le 1 ]]; then
    COMPREPLY=( $(compgen -W "${words(entries.map((e) => e.command))} --help --version" -- "\${cur}") )
    return 0
  fi
  command="\${COMP_WORDS[1]}"
  values=""
  case "\${command}:\${prev}" in
${valueCases(entries, (values) => `values="${words(values)}"`).join('\n')}
  esac
  if [[ -n "\${values}" ]]; then
    COMPREPLY=( $(compgen -W "\${values}" -- "\${cur}") )
    return 0
  fi
  case "\${command}" in
${entries.map((e) => `    ${e.command}) flags="${words(e.flags)}"; valueflags="${words(e.valueFlags)}" ;;`).join('\n')}
    *) flags=""; valueflags="" ;;
  esac
  if [[ "\${cur}" == -* ]]; then
    COMPREPLY=( $(compgen -W "\${flags}" -- "\${cur}") )
    return 0
  fi
  case "\${command}:\${COMP_CWORD}" in
${entries.filter((e) => e.arguments.length > 0).map((e) => `    ${e.command}:2) COMPREPLY=( $(compgen -W "${words(e.arguments)}" -- "\${cur}") ); return 0 ;;`).join('\n')}
  esac
  case "\${command}" in
    ${namesOf(entries)})
      if [[ " \${valueflags} " != *" \${prev} "* ]]; then
        COMPREPLY=( $(compgen -W "$(_fledge_names)" -- "\${cur}") )
        return 0
      fi ;;
  esac
  COMPREPLY=( $(compgen -f -- "\${cur}") )
  return 0
}
complete -o filenames -F _fledge fledge kubectl-fledge
`;
}

export function zshScript(entries: readonly CompletionEntry[]): string {
  return `#compdef fledge kubectl-fledge
# zsh completion for fledge and kubectl-fledge. Load it with:
#   source <(fledge completion zsh)
# or save it as _fledge in a directory of $fpath.
_fledge_names() {
  local i
  local -a args
  for (( i = 3; i < CURRENT; i++ )); do
    case \${words[i]} in
      ${passed}) args+=(\${words[i]} \${words[i+1]}) ;;
    esac
  done
  \${words[1]} status -o name \${args} 2>/dev/null | sed 's|^canary\\.fledge\\.dev/||'
}
_fledge() {
  local command prev
  local -a values flags valueflags names
  if (( CURRENT <= 2 )); then
    compadd -- ${words(entries.map((e) => e.command))} --help --version
    return
  fi
  command=\${words[2]}
  prev=\${words[CURRENT-1]}
  case "\${command}:\${prev}" in
${valueCases(entries, (values) => `values=(${words(values)})`).join('\n')}
  esac
  if (( \${#values} > 0 )); then
    compadd -- \${values}
    return
  fi
  case "\${command}" in
${entries.map((e) => `    ${e.command}) flags=(${words(e.flags)}); valueflags=(${words(e.valueFlags)}) ;;`).join('\n')}
  esac
  if [[ \${words[CURRENT]} == -* ]]; then
    compadd -- \${flags}
    return
  fi
  case "\${command}:\${CURRENT}" in
${entries.filter((e) => e.arguments.length > 0).map((e) => `    ${e.command}:3) compadd -- ${words(e.arguments)}; return ;;`).join('\n')}
  esac
  case "\${command}" in
    ${namesOf(entries)})
      if (( ! \${valueflags[(Ie)\${prev}]} )); then
        names=(\${(f)"$(_fledge_names)"})
        compadd -- \${names}
        return
      fi ;;
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
