/**
 * The command tree as the completion scripts need it, read from commander: every command
 * path, its subcommands, the flags valid there (its own, its parents' and the global ones,
 * since commander accepts those after a subcommand too) and what each flag's value can be.
 */
import type { Argument, Command, Option } from 'commander';
import { LIST_FORMATS } from '../session.js';

/** What a value can be: fixed words, and/or file or directory names, or the saved profiles' names. */
export interface ValueHint {
  words: string[];
  files?: 'file' | 'dir';
  /** Asked of the CLI when completing (`audit profile list -o name`): they change as profiles do. */
  profiles?: boolean;
}

export interface FlagSpec {
  /** `-o`, `--output`: every spelling. */
  names: string[];
  description: string;
  /** Undefined for a switch (no value). */
  value?: ValueHint;
  /** Path of the command that defines the flag: it is valid there and in every subcommand. */
  origin: string;
}

export interface CommandSpec {
  /** Space-separated path from the root, '' for the root. */
  path: string;
  description: string;
  subcommands: { name: string; description: string }[];
  /** Every flag valid at this path, the command's own first. */
  flags: FlagSpec[];
  /** Values of the positional arguments, by position. */
  args: ValueHint[];
}

/** Values commander cannot know: `-o` is a list format, or for export a file name. */
const EXTRA_HINTS: Record<string, ValueHint> = {
  '--output': { words: [...LIST_FORMATS], files: 'file' },
  '--profile': { words: [], profiles: true },
};

/** Commands whose one argument is a saved profile's name. */
const PROFILE_ARGUMENTS = new Set(['profile use', 'profile remove']);

/** commander's help option, on every command. */
const HELP_FLAG: FlagSpec = { names: ['-h', '--help'], description: 'display help for command', origin: '' };

/** Every command path in the tree, depth first, root first. */
export function completionTree(program: Command): CommandSpec[] {
  const specs: CommandSpec[] = [];
  const visit = (command: Command, path: string[], inherited: FlagSpec[]) => {
    const origin = path.join(' ');
    const own = command.options.filter((option) => !option.hidden).map((option) => flagSpec(option, origin));
    const flags = dedupe([...own, ...inherited]);
    // -V is the root's alone: `audit logs --version` works, but offering it there is noise.
    const passed = flags.filter((flag) => !flag.names.includes('--version'));
    const visible = command.commands.filter((child) => !(child as Command & { _hidden?: boolean })._hidden);
    specs.push({
      path: origin,
      description: oneLine(command.summary() || command.description()),
      subcommands: visible.map((child) => ({
        name: child.name(),
        description: oneLine(child.summary() || child.description()),
      })),
      flags: [...flags, HELP_FLAG],
      args: PROFILE_ARGUMENTS.has(origin)
        ? [{ words: [], profiles: true }]
        : command.registeredArguments.map(argumentHint),
    });
    for (const child of visible) visit(child, [...path, child.name()], passed);
  };
  visit(program, [], []);
  return specs;
}

/**
 * Each flag once, with the path that defines it, deepest paths first: a shell `case` that
 * tries them in this order finds a subcommand's flag before a parent's of the same spelling.
 */
export function flagRules(specs: CommandSpec[]): FlagSpec[] {
  const rules = new Map<string, FlagSpec>();
  for (const spec of specs) {
    for (const flag of spec.flags) rules.set(`${flag.origin}|${flag.names.join(',')}`, flag);
  }
  const depth = (path: string) => (path === '' ? 0 : path.split(' ').length);
  return [...rules.values()].sort((a, b) => depth(b.origin) - depth(a.origin));
}

/** Glob patterns matching `PATH|FLAG` wherever the flag is valid. */
export function rulePatterns(flag: FlagSpec): string[] {
  return flag.names.flatMap((name) =>
    flag.origin === '' ? [`*|${name}`] : [`${flag.origin}|${name}`, `${flag.origin} *|${name}`],
  );
}

function flagSpec(option: Option, origin: string): FlagSpec {
  const names = [option.short, option.long].filter((name): name is string => Boolean(name));
  const spec: FlagSpec = { names, description: oneLine(option.description), origin };
  if (option.required || option.optional) {
    const extra = option.long ? EXTRA_HINTS[option.long] : undefined;
    spec.value = extra ?? { words: [...(option.argChoices ?? [])], ...filesHint(valueName(option.flags)) };
  }
  return spec;
}

function argumentHint(argument: Argument): ValueHint {
  return { words: [...(argument.argChoices ?? [])], ...filesHint(argument.name()) };
}

/** `--db <file>` → `file`. */
function valueName(flags: string): string {
  return /[<[]([^>\]]+)[>\]]/.exec(flags)?.[1]?.replace(/\.\.\.$/, '') ?? '';
}

/** Whether the shell has anything to offer for a value. */
export function offersValues(value: ValueHint): boolean {
  return value.words.length > 0 || value.files !== undefined || value.profiles === true;
}

function filesHint(name: string): Pick<ValueHint, 'files'> {
  if (name === 'file') return { files: 'file' };
  if (name === 'dir') return { files: 'dir' };
  return {};
}

/** A subcommand's flag shadows a parent's of the same spelling. */
function dedupe(flags: FlagSpec[]): FlagSpec[] {
  const seen = new Set<string>();
  return flags.filter((flag) => {
    if (flag.names.some((name) => seen.has(name))) return false;
    for (const name of flag.names) seen.add(name);
    return true;
  });
}

function oneLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
