import { readFileSync } from 'node:fs';
import type { ProfileReader } from './profile-reader.js';

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
  server: string;
  serverSource: Source;
  org: string;
  orgSource: Source;
  token: string | undefined;
  tokenSource: 'AUDIT_TOKEN' | 'AUDIT_TOKEN_FILE' | 'profile' | undefined;
  /** With a token from the profile: the server it was saved with, the only one it may go to. */
  boundServer: string | undefined;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Flag > environment > profile > default, for server, organization and token. */
export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  store: Pick<ProfileReader, 'activeName' | 'get'>,
): Connection {
  const profile = flags.profile ?? env.AUDIT_PROFILE ?? store.activeName();
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
    server: server.value.replace(/\/+$/, ''),
    serverSource: server.source,
    org: org.value,
    orgSource: org.source,
    token,
    tokenSource,
    boundServer: tokenSource === 'profile' ? (stored.server ?? DEFAULT_SERVER) : undefined,
  };
}

/** Why a file could not be read or written, in words; the code itself when it is a rarer one. */
export function fileFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && FILE_FAILURES[code]) ?? code ?? String(error);
}

const FILE_FAILURES: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

function resolveToken(env: NodeJS.ProcessEnv, profileToken: string | undefined) {
  if (env.AUDIT_TOKEN) return { token: env.AUDIT_TOKEN.trim(), tokenSource: 'AUDIT_TOKEN' as const };
  if (env.AUDIT_TOKEN_FILE) {
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
