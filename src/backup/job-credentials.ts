/**
 * Whether a scheduled backup will find a usable token where it will look: the resolution
 * `backup run` does, with the job's own environment (the AUDIT_CONFIG_DIR and AUDIT_TOKEN_FILE
 * the line sets) rather than the caller's, which cron does not pass on.
 */
import { accessSync, constants } from 'node:fs';
import { configFileIn } from '../config/profile-file.js';
import { readProfiles } from '../config/profile-reader.js';
import { resolveConnection, SettingsError } from '../config/settings.js';
import { checkTokenFormat } from '../domain/token.js';

export interface JobCredentials {
  profile: string;
  /** The config directory the job reads, absolute. */
  configDir: string;
  /** The token file the job reads, absolute, if it uses one. */
  tokenFile?: string | undefined;
}

/** What will stop the job from authenticating, as a sentence fragment; undefined when nothing. */
export function jobCredentialProblem(job: JobCredentials): string | undefined {
  const env: NodeJS.ProcessEnv = { AUDIT_CONFIG_DIR: job.configDir };
  if (job.tokenFile !== undefined) {
    env.AUDIT_TOKEN_FILE = job.tokenFile;
    try {
      accessSync(job.tokenFile, constants.R_OK);
    } catch (error) {
      return `cannot read AUDIT_TOKEN_FILE ${job.tokenFile} (${(error as NodeJS.ErrnoException).code})`;
    }
  }
  try {
    const connection = resolveConnection({ profile: job.profile }, env, readProfiles(job.configDir));
    if (!connection.token) return `no token for profile "${job.profile}" in ${configFileIn(job.configDir)}`;
    const check = checkTokenFormat(connection.token);
    if (check.ok) return undefined;
    const source = job.tokenFile ?? `profile "${job.profile}" in ${configFileIn(job.configDir)}`;
    return `the token in ${source} is not valid (${check.reason.replace(/\.$/, '')})`;
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
}
