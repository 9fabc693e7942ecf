import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { inheritOutput, rootProgram } from './root.js';

/**
 * Commands that are built alone when they are the first word of the command line: the root and
 * that one command, so `audit logs` does not load the modules of every other command (about
 * 40 to 60, a tenth of its start-up CPU). Anything else (help, a global flag first, an unknown
 * word) gets the whole tree, and so do `help` and `completion`, which read the whole tree;
 * test/cli/command-alone.test.ts holds each alone equal to its place in it.
 */
export const COMMANDS_ALONE: Readonly<Record<string, () => Promise<(context: CliContext) => Command>>> = {
  login: async () => (await import('./commands/login.js')).loginCommand,
  logout: async () => (await import('./commands/logout.js')).logoutCommand,
  whoami: async () => (await import('./commands/whoami.js')).whoamiCommand,
  profile: async () => (await import('./commands/profile.js')).profileCommand,
  logs: async () => (await import('./commands/logs.js')).logsCommand,
  search: async () => (await import('./commands/search.js')).searchCommand,
  tail: async () => (await import('./commands/tail.js')).tailCommand,
  stats: async () => (await import('./commands/stats.js')).statsCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  backup: async () => (await import('./commands/backup.js')).backupCommand,
  gdpr: async () => (await import('./commands/gdpr.js')).gdprCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  webhooks: async () => (await import('./commands/webhooks.js')).webhooksCommand,
  server: async () => (await import('./commands/server.js')).serverCommand,
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
