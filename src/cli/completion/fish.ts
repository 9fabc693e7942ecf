/**
 * The fish script: `complete` rules whose conditions ask `__audit_state` for the command path
 * and the number of positional arguments typed so far.
 */

import { GENERATED_NOTE, fishQuote as q } from './shell-text.js';
import {
  type CommandSpec,
  type FlagSpec,
  flagRules,
  offersValues,
  rulePatterns,
  type ValueHint,
} from './tree.js';

export function fishScript(specs: CommandSpec[]): string {
  const subcommandCases = specs
    .filter((spec) => spec.subcommands.length > 0)
    .map(
      (spec) =>
        `        case ${q(spec.path)}\n            printf '%s\\n' ${spec.subcommands.map((c) => q(c.name)).join(' ')}`,
    );
  const takesValue = flagRules(specs).map(
    (flag) =>
      `    if string match -q -- ${rulePatterns(flag)
        .map((pattern) => `${q(pattern)}`)
        .join(' ')} "$argv[1]|$argv[2]"\n        return ${flag.value ? 0 : 1}\n    end`,
  );
  const rules: string[] = [];
  for (const spec of specs) {
    for (const child of spec.subcommands) {
      rules.push(
        `complete -c audit -n ${q(`__audit_at ${q(spec.path)}`)} -a ${q(child.name)} -d ${q(child.description)}`,
      );
    }
    spec.args.forEach((value, index) => {
      if (!offersValues(value)) return;
      rules.push(`complete -c audit -n ${q(`__audit_arg ${q(spec.path)} ${index}`)}${values(value)}`);
    });
  }
  // Each flag once, where it is defined; the condition makes it valid in subcommands too.
  for (const flag of flagRules(specs)) rules.push(flagRule(flag));
  return `# fish completion for audit
# ${GENERATED_NOTE}
# Install: see \`audit completion --help\`.

function __audit_subcommands
    switch "$argv[1]"
${subcommandCases.join('\n')}
    end
end

# Whether a flag takes a value at a command path ("PATH|FLAG").
function __audit_takes_value
${takesValue.join('\n')}
    return 1
end

# Prints the command path, then how many positional arguments follow it.
function __audit_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath ''
    set -l nargs 0
    set -l skip 0
    for word in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '--'
                break
            case '-*=*'
            case '-*'
                __audit_takes_value "$cmdpath" $word; and set skip 1
            case '*'
                if contains -- $word (__audit_subcommands "$cmdpath")
                    set cmdpath (string trim -- "$cmdpath $word")
                    set nargs 0
                else
                    set nargs (math $nargs + 1)
                end
        end
    end
    printf '%s\\n' "$cmdpath" $nargs
end

# The saved profiles' names, asked of the audit being completed (names a shell takes as they are).
function __audit_profiles
    set -l tokens (commandline -opc)
    command $tokens[1] profile list -o name 2>/dev/null
end

function __audit_at
    set -l state (__audit_state)
    test "$state[1]" = "$argv[1]"
end

function __audit_in
    set -l state (__audit_state)
    test "$state[1]" = "$argv[1]"; or string match -q -- "$argv[1] *" "$state[1]"
end

function __audit_arg
    set -l state (__audit_state)
    test "$state[1]" = "$argv[1]" -a "$state[2]" = "$argv[2]"
end

complete -c audit -f
${rules.join('\n')}
`;
}

function flagRule(flag: FlagSpec): string {
  const names = flag.names
    .map((name) => (name.startsWith('--') ? ` -l ${q(name.slice(2))}` : ` -s ${q(name.slice(1))}`))
    .join('');
  const condition = flag.origin === '' ? '' : ` -n ${q(`__audit_in ${q(flag.origin)}`)}`;
  const value = flag.value ? values(flag.value, true) : '';
  return `complete -c audit${condition}${names}${value} -d ${q(flag.description)}`;
}

function values(value: ValueHint, option = false): string {
  const required = option ? ' -r' : '';
  if (value.profiles) return `${required} -f -a '(__audit_profiles)'`;
  if (value.files === 'dir') return `${required} -f -a '(__fish_complete_directories)'`;
  const files = value.files ? ' -F' : option ? ' -f' : '';
  const words = value.words.length > 0 ? ` -a ${q(value.words.join(' '))}` : '';
  return `${required}${files}${words}`;
}
