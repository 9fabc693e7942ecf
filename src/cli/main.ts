import { CommanderError } from 'commander';
import { type CliContext, processContext, writeLine } from './context.js';
import { CliError, EXIT } from './errors.js';
import { buildProgram } from './program.js';

/**
 * Runs the CLI and returns the exit code. Nothing else in the program exits the process, so
 * tests can run the whole CLI in-process.
 */
export async function run(argv: string[], context: CliContext = processContext()): Promise<number> {
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return reportError(error, context);
  }
}

function reportError(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; commander already printed its message.
    if (error.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    writeLine(context.stderr, `audit: ${error.message}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeLine(context.stderr, `audit: unexpected error: ${message}`);
  if (context.env.AUDIT_DEBUG)
    writeLine(context.stderr, String(error instanceof Error ? error.stack : error));
  return EXIT.failure;
}
