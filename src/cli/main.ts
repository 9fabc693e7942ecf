import { CommanderError } from 'commander';
import { isInterruption } from '../domain/interrupted.js';
import { programAlone } from './command-alone.js';
import { type CliContext, processContext, writeLine } from './context.js';
import { CliError, EXIT, safeErrorText } from './errors.js';

/**
 * Runs the CLI and returns the exit code. Nothing else in the program exits the process, so
 * tests can run the whole CLI in-process.
 */
export async function run(argv: string[], context: CliContext = processContext()): Promise<number> {
  // The whole command tree only when the command line may need it (help, completion, a typo).
  const program = (await programAlone(argv, context)) ?? (await import('./program.js')).buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    const debug = program.opts<{ debug?: boolean }>().debug === true || Boolean(context.env.AUDIT_DEBUG);
    return reportError(error, context, debug);
  }
}

async function reportError(error: unknown, context: CliContext, debug: boolean): Promise<number> {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; commander already printed its message.
    if (error.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  // A failure caused by Ctrl-C (a request it aborted) keeps its words but is an interruption.
  if (error instanceof CliError)
    return said(
      isInterruption(error.cause) && error.exitCode !== EXIT.interrupted
        ? new CliError(error.message, EXIT.interrupted, { cause: error })
        : error,
      context,
    );
  // After Ctrl-C, whatever the aborted work ended with, the command was interrupted.
  if (context.signal.aborted) return said(new CliError('interrupted', EXIT.interrupted), context);
  // Loaded only now: a usage error (a CliError) never loads the client's error classes.
  const { toCliError } = await import('./to-cli-error.js');
  const known = toCliError(error);
  if (known) return said(known, context);
  const message = error instanceof Error ? error.message : String(error);
  // A bug: the stack only when asked for, since it means nothing to most users.
  if (debug) {
    writeLine(context.stderr, `audit: unexpected error: ${safeErrorText(message)}`);
    const stack = String(error instanceof Error ? error.stack : error);
    writeLine(context.stderr, stack.split('\n').map(safeErrorText).join('\n'));
  } else {
    writeLine(
      context.stderr,
      `audit: unexpected error: ${safeErrorText(message)} (a bug; rerun with --debug for the stack trace and report it)`,
    );
  }
  return EXIT.failure;
}

function said(error: CliError, context: CliContext): number {
  writeLine(context.stderr, `audit: ${safeErrorText(error.message)}`);
  return error.exitCode;
}
