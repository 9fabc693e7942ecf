import { readFileSync } from 'node:fs';
import { looksLikeToken } from '../domain/token-text.js';
import { assertProfileName } from './profile-name.js';
import type { ProfileReader } from './profile-reader.js';
import { fileFailure, SettingsError } from './settings-error.js';

export { SettingsError } from './settings-error.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:7787';
export const DEFAULT_ORG = 'default';

export interface ConnectionFlags {
  profile?: string;
  server?: string;
  org?: string;
}

/** Where a setting came from, so `whoami` and errors can say so. */
export type Source = 'flag' | 'env' | 'profile' | 'default';

export interface Connection {
  profile: string;
  /** Who chose the profile: `--profile`, `AUDIT_PROFILE`, or the config file (`default` if it names none). */
  profileSource: ProfileSource;
  server: string;
  serverSource: Source;
  org: string;
  orgSource: Source;
  token: string | undefined;
  tokenSource: 'AUDIT_TOKEN' | 'AUDIT_TOKEN_FILE' | 'profile' | undefined;
  /** With a token from the profile: the server it was saved with, the only one it may go to. */
  boundServer: string | undefined;
}

export type ProfileSource = 'flag' | 'env' | 'config';

/**
 * `--profile`, else `AUDIT_PROFILE` (empty counts as unset), else the file's active profile.
 * A name given on the command line or in the environment must be a valid profile name.
 */
export function chooseProfile(
  flags: Pick<ConnectionFlags, 'profile'>,
  env: NodeJS.ProcessEnv,
  store: Pick<ProfileReader, 'activeName'>,
): { profile: string; profileSource: ProfileSource } {
  if (flags.profile !== undefined) {
    assertProfileName(flags.profile, '--profile');
    return { profile: flags.profile, profileSource: 'flag' };
  }
  if (env.AUDIT_PROFILE) {
    assertProfileName(env.AUDIT_PROFILE, 'AUDIT_PROFILE');
    return { profile: env.AUDIT_PROFILE, profileSource: 'env' };
  }
  return { profile: store.activeName(), profileSource: 'config' };
}

/** Flag > environment > profile > default, for server, organization and token. */
export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  store: Pick<ProfileReader, 'activeName' | 'get'>,
): Connection {
  const { profile, profileSource } = chooseProfile(flags, env, store);
  const stored = store.get(profile) ?? {};
  const pick = (
    flag: string | undefined,
    envValue: string | undefined,
    profileValue: string | undefined,
    fallback: string,
  ) =>
    flag !== undefined
      ? { value: flag, source: 'flag' as const }
      : envValue
        ? { value: envValue, source: 'env' as const }
        : profileValue
          ? { value: profileValue, source: 'profile' as const }
          : { value: fallback, source: 'default' as const };
  const server = pick(flags.server, env.AUDIT_SERVER, stored.server, DEFAULT_SERVER);
  const org = pick(flags.org, env.AUDIT_ORG, stored.org, DEFAULT_ORG);
  const { token, tokenSource } = resolveToken(env, stored.token);
  return {
    profile,
    profileSource,
    server: server.value.replace(/\/+$/, ''),
    serverSource: server.source,
    org: org.value,
    orgSource: org.source,
    token,
    tokenSource,
    boundServer: tokenSource === 'profile' ? (stored.server ?? DEFAULT_SERVER) : undefined,
  };
}

function resolveToken(env: NodeJS.ProcessEnv, profileToken: string | undefined) {
  if (env.AUDIT_TOKEN) return { token: env.AUDIT_TOKEN.trim(), tokenSource: 'AUDIT_TOKEN' as const };
  if (env.AUDIT_TOKEN_FILE) {
    assertTokenFilePath(env.AUDIT_TOKEN_FILE);
    try {
      return {
        token: readFileSync(env.AUDIT_TOKEN_FILE, 'utf8').trim(),
        tokenSource: 'AUDIT_TOKEN_FILE' as const,
      };
    } catch (error) {
      throw new SettingsError(
        `AUDIT_TOKEN_FILE: cannot read ${env.AUDIT_TOKEN_FILE}: ${fileFailure(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  if (profileToken) return { token: profileToken, tokenSource: 'profile' as const };
  return { token: undefined, tokenSource: undefined };
}

/**
 * AUDIT_TOKEN_FILE set to the token itself (AUDIT_TOKEN was meant) is refused before it is used
 * as a path: an error naming the path, or a crontab line carrying it, would print the token.
 */
export function assertTokenFilePath(path: string): void {
  if (!looksLikeToken(path)) return;
  throw new SettingsError(
    'AUDIT_TOKEN_FILE holds a token, not the path of a file holding one; set AUDIT_TOKEN instead, ' +
      'or write the token to a file (mode 0600) and set AUDIT_TOKEN_FILE to its path',
  );
}
