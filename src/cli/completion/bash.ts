/**
 * The bash script: plain bash (4 or later), no bash-completion package needed. It walks the
 * words before the cursor to find the command path, then offers that path's subcommands,
 * flags, a flag's values or a positional argument's values.
 */

import { caseGlob, GENERATED_NOTE, sq } from './shell-text.js';
import { type CommandSpec, flagRules, offersValues, rulePatterns, type ValueHint } from './tree.js';

export function bashScript(specs: CommandSpec[]): string {
  const subcommands = specs
    .filter((spec) => spec.subcommands.length > 0)
    .map((spec) =>
      caseLine(sq(spec.path), `_audit_reply=${sq(spec.subcommands.map((c) => c.name).join(' '))}`),
    );
  const flags = specs.map((spec) =>
    caseLine(sq(spec.path), `_audit_reply=${sq(spec.flags.flatMap((flag) => flag.names).join(' '))}`),
  );
  const values = flagRules(specs).map((flag) =>
    caseLine(rulePatterns(flag).map(caseGlob).join('|'), flag.value ? hint(flag.value) : 'return 1'),
  );
  const args = specs.flatMap((spec) =>
    spec.args
      .map((value, index) => ({ value, index }))
      .filter(({ value }) => offersValues(value))
      .map(({ value, index }) => caseLine(sq(`${spec.path}|${index}`), hint(value))),
  );
  return `# bash completion for audit
# ${GENERATED_NOTE}
# Install: see \`audit completion --help\`. Works in plain bash, without the bash-completion package.

_audit_subcommands() {
  case "$1" in
${subcommands.join('\n')}
    *) _audit_reply='' ;;
  esac
}

_audit_flags() {
  case "$1" in
${flags.join('\n')}
    *) _audit_reply='-h --help' ;;
  esac
}

# Fails for a switch; for a flag that takes a value, sets its words and file kind.
_audit_value() {
  _audit_reply='' _audit_files=''
  case "$1|$2" in
${values.join('\n')}
    *) return 1 ;;
  esac
}

_audit_arg() {
  _audit_reply='' _audit_files=''
  case "$1|$2" in
${args.join('\n')}
  esac
}

# The saved profiles' names, asked of the audit being completed (names a shell takes as they are).
_audit_profiles() {
  "\${COMP_WORDS[0]}" profile list -o name 2>/dev/null
}

# Completes $1 from _audit_reply and _audit_files; $2 goes in front of each word.
_audit_offer() {
  local line
  while IFS= read -r line; do
    [ -n "$line" ] && COMPREPLY+=("$2$line")
  done < <(compgen -W "$_audit_reply" -- "$1")
  if [ -n "$_audit_files" ]; then
    compopt -o filenames 2>/dev/null
    while IFS= read -r line; do
      [ -n "$line" ] && COMPREPLY+=("$2$line")
    done < <(if [ "$_audit_files" = dir ]; then compgen -d -- "$1"; else compgen -f -- "$1"; fi)
  fi
}

_audit() {
  COMPREPLY=()
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev='' cmdpath='' word flag='' prefix='' i skip=0 nargs=0
  local _audit_reply _audit_files
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD - 1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    # "--flag=value" arrives as three words when '=' is in COMP_WORDBREAKS.
    if [ "$word" = '=' ]; then skip=1; continue; fi
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --) return 0 ;;
      -*=*) ;;
      -*) _audit_value "$cmdpath" "$word" && skip=1 ;;
      *)
        _audit_subcommands "$cmdpath"
        if [[ " $_audit_reply " == *" $word "* ]]; then
          cmdpath="\${cmdpath:+$cmdpath }$word"
          nargs=0
        else
          nargs=$((nargs + 1))
        fi
        ;;
    esac
  done

  if [ "$cur" = '=' ]; then
    flag="$prev" cur=''
  elif [ "$prev" = '=' ] && ((COMP_CWORD >= 2)); then
    flag="\${COMP_WORDS[COMP_CWORD - 2]}"
  elif [[ "$cur" == --*=* ]]; then
    flag="\${cur%%=*}" prefix="\${cur%%=*}=" cur="\${cur#*=}"
  elif [[ "$prev" == -* ]]; then
    flag="$prev"
  fi
  if [ -n "$flag" ] && _audit_value "$cmdpath" "$flag"; then
    _audit_offer "$cur" "$prefix"
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    _audit_flags "$cmdpath"
    _audit_files=''
    _audit_offer "$cur" ''
    return 0
  fi
  _audit_arg "$cmdpath" "$nargs"
  local arg_words="$_audit_reply"
  _audit_subcommands "$cmdpath"
  _audit_reply="$_audit_reply $arg_words"
  _audit_offer "$cur" ''
  return 0
}

complete -F _audit audit
`;
}

function hint(value: ValueHint): string {
  if (value.profiles) return '_audit_reply="$(_audit_profiles)"';
  const files = value.files ? ` _audit_files=${value.files}` : '';
  return `_audit_reply=${sq(value.words.join(' '))}${files}`;
}

function caseLine(pattern: string, body: string): string {
  return `    ${pattern}) ${body} ;;`;
}
