/**
 * `ratchet completion bash|zsh`: a static completion script generated from
 * every registered verb, sub-verb and option (so it never lags the CLI).
 * Install: `source <(ratchet completion bash)` in ~/.bashrc, or
 * `ratchet completion zsh > "${fpath[1]}/_ratchet"`.
 */
import type { Command } from 'commander';
import type * as Cli from '../cli';
import { CliError } from '../output';
import { allRegistrations } from '.';

/** Completion words per command path ('' is the root, 'evolve status' a sub-verb). */
export interface CompletionTable {
  words: Map<string, string[]>;
  /** Options that take a value: the word after one is not a verb. */
  valueOptions: string[];
}

export function completionTable(program: Command): CompletionTable {
  const table = new Map<string, string[]>();
  const valueOptions = new Set<string>();
  const walk = (cmd: Command, path: string) => {
    for (const o of cmd.options) {
      if (!o.required && !o.optional) continue;
      if (o.short) valueOptions.add(o.short);
      if (o.long) valueOptions.add(o.long);
    }
    const subs = cmd.commands.map((c) => c.name());
    const options = cmd.options.flatMap((o) => [o.short, o.long]).filter((f): f is string => !!f);
    table.set(path, [...subs, ...options, '--help']);
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return { words: table, valueOptions: [...valueOptions].sort() };
}

const cases = (table: CompletionTable, indent: string, assign: (words: string) => string) =>
  [...table.words]
    .map(([path, words]) => `${indent}'${path}') ${assign(words.join(' '))} ;;`)
    .join('\n');

export function bashScript(table: CompletionTable): string {
  return `# ratchet completion for bash: source <(ratchet completion bash)
_ratchet() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath="" i w words=""
  local valueopts=" ${table.valueOptions.join(' ')} "
  COMPREPLY=()
  # The verbs typed so far, options and their values skipped: "evolve status".
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ $valueopts == *" $w "* ]] && { ((i++)); continue; }
    [[ $w == -* ]] && continue
    cmdpath="\${cmdpath:+$cmdpath }$w"
  done
  case "$cmdpath" in
${cases(table, '    ', (w) => `words="${w}"`)}
    *) return 0 ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _ratchet ratchet
`;
}

export function zshScript(table: CompletionTable): string {
  return `#compdef ratchet
# ratchet completion for zsh: ratchet completion zsh > "\${fpath[1]}/_ratchet"
_ratchet() {
  local cmdpath="" i
  local valueopts=" ${table.valueOptions.join(' ')} "
  local -a candidates
  for ((i = 2; i < CURRENT; i++)); do
    [[ $valueopts == *" \${words[i]} "* ]] && { ((i++)); continue; }
    [[ \${words[i]} == -* ]] && continue
    cmdpath="\${cmdpath:+$cmdpath }\${words[i]}"
  done
  case "$cmdpath" in
${cases(table, '    ', (w) => `candidates=(${w})`)}
    *) _files; return ;;
  esac
  compadd -- $candidates
}
# Autoloaded from fpath, or sourced.
if [[ "\${funcstack[1]}" == _ratchet ]]; then _ratchet "$@"; else compdef _ratchet ratchet; fi
`;
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: `source <(ratchet completion bash)`')
    .argument('<shell>', 'bash | zsh')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') throw new CliError('<shell> must be bash or zsh');
      // Required here, not imported: cli.ts imports the command table this module is listed in.
      const { buildFullProgram } = require('../cli') as typeof Cli;
      const table = completionTable(buildFullProgram(allRegistrations()));
      process.stdout.write(shell === 'bash' ? bashScript(table) : zshScript(table));
    });
}
