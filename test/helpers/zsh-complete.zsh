# Prints the matches zsh's completion system offers for a command line, one a line.
# usage: zsh -f zsh-complete.zsh COMPLETION_SCRIPT 'audit lo'
# A child zsh on a pseudo-terminal (zpty) loads compinit and the script; a completion widget
# bound to Tab records every match added through compadd and prints them between \x02 and \x03.
# compinit's dump of zsh's own completions is shared by the runs that share TMPDIR: writing it
# scans every completion function (~5 s here), reading it takes 0.2 s. audit's script is sourced
# after compinit, so it is never in the dump.
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PROMPT=''; autoload -Uz compinit; compinit -u -d ${(q)TMPDIR:-/tmp}/audit-zcompdump; source ${(q)1}"
zpty -w z 'typeset -aU __hits; compadd() { local -a __r; builtin compadd -O __r "$@"; __hits+=("${__r[@]}"); builtin compadd "$@"; }'
zpty -w z 'print-matches() { __hits=(); _main_complete; print -n -- $'"'"'\x02'"'"'; print -rl -- "${__hits[@]}"; print -n -- $'"'"'\x03'"'"'; compstate[insert]=""; compstate[list]=""; }'
zpty -w z 'zle -C print-matches complete-word print-matches; bindkey "^I" print-matches'
zpty -w z "$2"$'\t'
zpty -r z REPLY $'*\x02' || exit 4
zpty -r z REPLY $'*\x03' || exit 4
print -r -- "${${REPLY%$'\x03'}//$'\r'/}"
zpty -d z
