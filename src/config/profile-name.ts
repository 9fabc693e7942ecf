import { SettingsError } from './settings-error.js';

/**
 * What a new profile may be called: ASCII letters, digits, `.`, `_`, `-` and `@`, starting with
 * a letter or digit, at most 64 characters. A name is a key in the config file, never a path,
 * but it is also printed, typed in a crontab line (backup schedule) and offered by the shell
 * completions, where a path, a control character or a `$(…)` would be trouble.
 */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

export const PROFILE_NAME_RULE =
  'letters, digits, ".", "_", "-" and "@", starting with a letter or digit, at most 64 characters';

export function isProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}

/** Throws a one-line SettingsError naming where the bad name came from (`--profile`, …). */
export function assertProfileName(name: string, from: string): void {
  if (isProfileName(name)) return;
  throw new SettingsError(`${from}: ${JSON.stringify(name)} is not a profile name; use ${PROFILE_NAME_RULE}`);
}
