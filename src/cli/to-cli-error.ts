/**
 * The one translation of errors into the SPEC's exit codes and one-line messages. Matched with
 * `instanceof` on the classes' own modules, which are small: loading this file loads no HTTP
 * client. main.ts loads it only when a command ends with an error that is not a CliError.
 */
import { AuditApiError, AuditNetworkError, AuditResponseError, AuditTlsError } from '../client/errors.js';
import { isLoopbackHost } from '../config/server-binding.js';
import { SettingsError } from '../config/settings-error.js';
import { isInterruption } from '../domain/interrupted.js';
import { OutputFileError } from '../export/output-error.js';
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
  // A setting or config file the user can fix (the profile file cannot be written, …).
  if (error instanceof ImportSourceError || error instanceof SettingsError) return { exitCode: EXIT.usage };
  if (error instanceof OutputFileError) return { exitCode: error.isUsersToFix ? EXIT.usage : EXIT.failure };
  if (error instanceof AuditNetworkError) return { exitCode: EXIT.failure, hint: unreachableHint(error) };
  const failed = error instanceof AuditResponseError || error instanceof UnsafeOutputError;
  return failed ? { exitCode: EXIT.failure } : undefined;
}

const REFUSED_OR_SILENT = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const NAME_NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * What to check when the server cannot be reached: on this machine, whether the bundled server
 * runs; elsewhere, the address and the network. A TLS failure's message already says its fix.
 */
export function unreachableHint(error: unknown): string | undefined {
  if (!(error instanceof AuditNetworkError)) return undefined;
  if (error instanceof AuditTlsError || error.code === undefined) return undefined;
  const local = isLoopbackHost(new URL(error.url).hostname);
  if (NAME_NOT_FOUND.has(error.code)) return ' — check the host name in the server address';
  if (!REFUSED_OR_SILENT.has(error.code)) return undefined;
  return local
    ? ' — is `audit server start` running?'
    : ' — check the server address and the network (VPN, firewall, proxy)';
}
