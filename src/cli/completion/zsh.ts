/**
 * The zsh script: works from `fpath` (as `_audit`, autoloaded by compinit) and when sourced
 * after compinit. Subcommands and flags are offered with their descriptions.
 */

import { caseGlob, GENERATED_NOTE, sq } from './shell-text.js';
import { type CommandSpec, flagRules, offersValues, rulePatterns, type ValueHint } from './tree.js';

export function zshScript(specs: CommandSpec[]): string {
  const described = (items: { names: string[]; description: string }[]) =>
    items.flatMap((item) =>
      item.names.map((name) => sq(`${name.replaceAll(':', '\\:')}:${item.description}`)),
    );
  const subcommands = specs
    .filter((spec) => spec.subcommands.length > 0)
    .map((spec) =>
      caseLine(
        sq(spec.path),
        `reply=(${described(spec.subcommands.map((c) => ({ names: [c.name], description: c.description }))).join(' ')})`,
      ),
    );
  const flags = specs.map((spec) => caseLine(sq(spec.path), `reply=(${described(spec.flags).join(' ')})`));
  const values = flagRules(specs).map((flag) =>
    caseLine(rulePatterns(flag).map(caseGlob).join('|'), flag.value ? hint(flag.value) : 'return 1'),
  );
  const args = specs.flatMap((spec) =>
    spec.args
      .map((value, index) => ({ value, index }))
      .filter(({ value }) => offersValues(value))
      .map(({ value, index }) => caseLine(sq(`${spec.path}|${index}`), hint(value))),
  );
  return `#compdef audit
# zsh completion for audit
# ${GENERATED_NOTE}
# Install: see \`audit completion --help\`.

# "name:description" of the subcommands at a path.
_audit_subcommands() {
  case "$1" in
${subcommands.join('\n')}
    *) reply=() ;;
  esac
}

_audit_flags() {
  case "$1" in
${flags.join('\n')}
    *) reply=('-h:display help for command' '--help:display help for command') ;;
  esac
}

# Fails for a switch; for a flag that takes a value, sets its words and file kind.
_audit_value() {
  reply=() _audit_files=''
  case "$1|$2" in
${values.join('\n')}
    *) return 1 ;;
  esac
}

_audit_arg() {
  reply=() _audit_files=''
  case "$1|$2" in
${args.join('\n')}
  esac
}

# The saved profiles' names, asked of the audit being completed (names a shell takes as they are).
_audit_profiles() {
  reply=(\${(f)"$("\${words[1]}" profile list -o name 2>/dev/null)"})
}

_audit_offer() {
  (( \${#reply} )) && compadd -- "\${reply[@]}"
  case "$_audit_files" in
    file) _files ;;
    dir) _files -/ ;;
  esac
  return 0
}

_audit() {
  local cmdpath='' word flag='' entry _audit_files=''
  local -a reply names
  integer i skip=0 nargs=0
  for (( i = 2; i < CURRENT; i++ )); do
    word="\${words[i]}"
    if (( skip )); then skip=0; continue; fi
    case "$word" in
      --) return 0 ;;
      -*=*) ;;
      -*) _audit_value "$cmdpath" "$word" && skip=1 ;;
      *)
        _audit_subcommands "$cmdpath"
        names=("\${reply[@]%%:*}")
        if (( \${names[(Ie)$word]} )); then
          cmdpath="\${cmdpath:+$cmdpath }$word"
          nargs=0
        else
          nargs+=1
        fi
        ;;
    esac
  done

  if [[ "$PREFIX" == --*=* ]]; then
    flag="\${PREFIX%%=*}"
    compset -P '*='
  elif (( CURRENT > 2 )) && [[ "\${words[CURRENT - 1]}" == -* ]]; then
    flag="\${words[CURRENT - 1]}"
  fi
  if [[ -n "$flag" ]] && _audit_value "$cmdpath" "$flag"; then
    _audit_offer
    return 0
  fi
  if [[ "$PREFIX" == -* ]]; then
    _audit_flags "$cmdpath"
    _describe -t options 'option' reply
    return 0
  fi
  _audit_subcommands "$cmdpath"
  (( \${#reply} )) && _describe -t commands 'command' reply
  _audit_arg "$cmdpath" "$nargs"
  _audit_offer
}

# Sourced (or eval'd) rather than autoloaded from fpath: register the function.
if [[ "\${funcstack[1]}" == _audit ]]; then
  _audit "$@"
else
  compdef _audit audit
fi
`;
}

function hint(value: ValueHint): string {
  if (value.profiles) return '_audit_profiles';
  const words = value.words.length > 0 ? `reply=(${value.words.map(sq).join(' ')})` : 'reply=()';
  return value.files ? `${words} _audit_files=${value.files}` : words;
}

function caseLine(pattern: string, body: string): string {
  return `    ${pattern}) ${body} ;;`;
}
