import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { inheritOutput, rootProgram } from './root.js';

/**
 * Commands that are built alone when they are the first word of the command line: the root and
 * that one command, so `audit export` does not load the modules of every other command (about
 * 60, a tenth of its start-up CPU). Anything else (help, a global flag first, an unknown word)
 * gets the whole tree; test/cli/command-alone.test.ts holds each alone equal to its place in it.
 */
export const COMMANDS_ALONE: Readonly<Record<string, () => Promise<(context: CliContext) => Command>>> = {
  export: async () => (await import('./commands/export.js')).exportCommand,
};

/** The program for `argv` with its first word's command alone, or undefined when it has none. */
export async function programAlone(
  argv: readonly string[],
  context: CliContext,
): Promise<Command | undefined> {
  const name = argv[0];
  const load = name !== undefined && Object.hasOwn(COMMANDS_ALONE, name) ? COMMANDS_ALONE[name] : undefined;
  if (!load) return undefined;
  const program = rootProgram(context);
  program.addCommand((await load())(context));
  return inheritOutput(program);
}
