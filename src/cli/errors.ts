import { maskTokensIn } from '../domain/token-text.js';
import { sanitizeForDisplay } from '../format/sanitize.js';

/**
 * Errors a command may end with: one line and the SPEC's exit code. The error it stands for,
 * if any, is its `cause`; toCliError (to-cli-error.ts) makes one from any other error.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Bad usage or input: exit 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 2, options);
  }
}

/** Not authenticated or not permitted: exit 4. */
export class AuthError extends CliError {
  override readonly name = 'AuthError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 4, options);
  }
}

/** The server failed or the network gave up: exit 1. */
export class ApiError extends CliError {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, 1, options);
  }
}

/** `interrupted` is 128 + SIGINT (Ctrl-C); `terminated` 128 + SIGTERM, as cron, systemd and Kubernetes stop a job. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** `audit verify` found evidence that the log was changed, rolled back or forked. */
  tampered: 3,
  /** `audit report security --fail-on S` found a finding at or above S (the same number: "look now"). */
  findings: 3,
  auth: 4,
  interrupted: 130,
  terminated: 143,
} as const;

/**
 * An error message as it may reach a terminal: what the user typed and what the server said come
 * back in it, so escape sequences and bidi controls are stripped and tokens cut to their prefix.
 */
export function safeErrorText(message: string): string {
  return sanitizeForDisplay(maskTokensIn(message));
}
