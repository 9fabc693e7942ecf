import { CommanderError } from 'commander';
import { type CliContext, processContext, writeLine } from './context.js';
import { CliError, EXIT, safeErrorText } from './errors.js';
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

/**
 * The client's errors, in the SPEC's exit codes: 401/403 are 4 (with a hint), a refused
 * parameter is 2, everything else the server or network did is 1. Matched by name so that
 * the HTTP client is not loaded just to report a usage error. An output file refused as
 * unsafe (a planted link) is a failure, 1, said in its own one line.
 */
function fromClientError(error: unknown): CliError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'AuditApiError') {
    const status = (error as Error & { status: number }).status;
    if (status === 401) return new CliError(`${error.message}; run audit login`, EXIT.auth);
    if (status === 403) return new CliError(error.message, EXIT.auth);
    if (status === 400 || status === 413 || status === 415) return new CliError(error.message, EXIT.usage);
    return new CliError(error.message, EXIT.failure);
  }
  if (error.name === 'AuditNetworkError' || error.name === 'AuditTimeoutError') {
    return new CliError(error.message, EXIT.failure);
  }
  if (error.name === 'ImportSourceError') return new CliError(error.message, EXIT.usage);
  if (error.name === 'UnsafeOutputError') return new CliError(error.message, EXIT.failure);
  return undefined;
}

function reportError(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; commander already printed its message.
    if (error.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    writeLine(context.stderr, `audit: ${safeErrorText(error.message)}`);
    return error.exitCode;
  }
  const mapped = fromClientError(error);
  if (mapped) {
    writeLine(context.stderr, `audit: ${safeErrorText(mapped.message)}`);
    return mapped.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeLine(context.stderr, `audit: unexpected error: ${safeErrorText(message)}`);
  if (context.env.AUDIT_DEBUG)
    writeLine(context.stderr, String(error instanceof Error ? error.stack : error));
  return EXIT.failure;
}
