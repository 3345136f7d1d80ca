import { Command } from 'commander';

/** Each command path (`''`, `deploy`, `secrets set`) and what may follow it: subcommands and options. */
export function completionWords(program: Command): Map<string, string[]> {
  const words = new Map<string, string[]>();
  const walk = (command: Command, path: string[]) => {
    words.set(path.join(' '), [
      ...command.commands.map(c => c.name()),
      ...command.options.flatMap(
        o => [o.long, o.short].filter(Boolean) as string[],
      ),
      '--help',
    ]);
    command.commands.forEach(c => walk(c, [...path, c.name()]));
  };
  walk(program, []);
  return words;
}

/** A bash completion script (zsh loads it through bashcompinit). */
export function completionScript(
  program: Command,
  shell: 'bash' | 'zsh',
): string {
  const cases = [...completionWords(program)]
    .map(
      ([path, list]) => `      "${path}") words="${list.join(' ')}"; break ;;`,
    )
    .join('\n');
  // Words typed so far that aren't options make the command path; positional
  // arguments (a service name) are dropped from its end until a path is known.
  const bash = `_paved_complete() {
  local cur path="" i words=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  while :; do
    case "$path" in
${cases}
    esac
    [ -z "$path" ] && break
    case "$path" in *" "*) path="\${path% *}" ;; *) path="" ;; esac
  done
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _paved_complete paved
`;
  return shell === 'zsh'
    ? `autoload -U +X bashcompinit && bashcompinit\n${bash}`
    : bash;
}
