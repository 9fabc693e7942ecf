/**
 * The one translation of errors into the SPEC's exit codes and one-line messages. Matched with
 * `instanceof` on the classes' own modules, which are small: loading this file loads no HTTP
 * client. main.ts loads it only when a command ends with an error that is not a CliError.
 */
import { AuditApiError, AuditNetworkError, AuditResponseError } from '../client/errors.js';
import { SettingsError } from '../config/settings-error.js';
import { isInterruption } from '../domain/interrupted.js';
import { UnsafeOutputError } from '../export/safe-partial.js';
import { ImportSourceError } from '../import/source.js';
import { CliError, EXIT } from './errors.js';

/** What a command adds around the error's own line, e.g. "backup of 2023-05-10 failed: ". */
export interface ErrorContext {
  prefix?: string;
  /** After the message and its hint: what was done before the failure, what to run next. */
  suffix?: string;
}

/** Said after a 401: the token in use is unknown or revoked. */
export const LOGIN_HINT = '; check AUDIT_TOKEN or run audit login';

/**
 * The CliError for a known error, its `cause` the original, with the command's context around
 * the message: not signed in or not permitted is 4 (401 with a hint), a request the server
 * refused as given (400, 413, 415), an unreadable import file or a settings problem (the config
 * file, a profile name) is 2, the server failing, the
 * network giving up, an answer that is not the API's and an output file refused as unsafe are 1,
 * Ctrl-C is 130. A CliError is already translated and comes back as it is. An error of none of
 * these kinds (a bug) is undefined: the caller reports it as unexpected.
 */
export function toCliError(error: unknown, context: ErrorContext = {}): CliError | undefined {
  if (error instanceof CliError) return error;
  const known = classify(error);
  if (!known) return undefined;
  const message = `${context.prefix ?? ''}${(error as Error).message}${known.hint ?? ''}${context.suffix ?? ''}`;
  return new CliError(message, known.exitCode, { cause: error });
}

function classify(error: unknown): { exitCode: number; hint?: string } | undefined {
  // First: an aborted request's error (an AuditApiError too) may carry the interruption as its cause.
  if (isInterruption(error)) return { exitCode: EXIT.interrupted };
  if (error instanceof AuditApiError) {
    switch (error.kind) {
      case 'unauthenticated':
        return { exitCode: EXIT.auth, hint: LOGIN_HINT };
      case 'forbidden':
        return { exitCode: EXIT.auth };
      case 'rejected':
        return { exitCode: EXIT.usage };
      default:
        return { exitCode: EXIT.failure };
    }
  }
  if (error instanceof ImportSourceError || error instanceof SettingsError) return { exitCode: EXIT.usage };
  const failed =
    error instanceof AuditNetworkError ||
    error instanceof AuditResponseError ||
    error instanceof UnsafeOutputError;
  return failed ? { exitCode: EXIT.failure } : undefined;
}
