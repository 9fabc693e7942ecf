import { readFileSync, statSync } from 'node:fs';
import {
  activeNameIn,
  type ConfigFile,
  configFileIn,
  decodeConfigFile,
  isConfigRecord,
  type Profile,
  profileIn,
  shapeProblem,
} from './profile-file.js';
import { fileFailure, SettingsError } from './settings-error.js';

export type ProfileReader = ReturnType<typeof readProfiles>;

/**
 * The profiles as every command reads them: the JSON file that `openProfileStore`
 * (profile-store.ts) writes (under a lock, atomically, mode 0600), read here with plain fs and no
 * lock: a reader sees the old file or the new one, never half of either.
 */
export function readProfiles(dir: string) {
  const path = configFileIn(dir);
  const file = readConfigFile(path);
  return {
    path,
    activeName: (): string => activeNameIn(file),
    get: (name: string): Profile | undefined => profileIn(file, name),
    /** The saved profiles that hold a token, for a hint when the active one has none. */
    namesWithToken: (): string[] =>
      Object.entries(file.profiles)
        .filter(([, profile]) => profile.token)
        .map(([name]) => name),
    /** True when group or others can read the file: the caller should warn. */
    isExposed: () => isExposedFile(path),
  };
}

/** True when group or others have any access to `path` (ssh's test for a private key). */
export function isExposedFile(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

function readConfigFile(path: string): ConfigFile {
  const text = readConfigText(path);
  return text === undefined ? { profiles: {} } : decodeConfigFile(parseConfigText(path, text));
}

/** The config file's text; undefined when there is none yet. Other failures: one line naming it. */
export function readConfigText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SettingsError(
      `cannot read ${path}: ${fileFailure(error)}; fix its permissions, or set AUDIT_CONFIG_DIR to a directory of yours`,
      { cause: error },
    );
  }
}

/** The file's JSON as an object, or a one-line SettingsError naming the file. */
export function parseConfigText(path: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    // A byte order mark is what some editors put in front of a file saved as UTF-8.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new SettingsError(`${path} is not valid JSON; fix it, or remove it and run audit login`);
  }
  if (!isConfigRecord(parsed)) {
    throw new SettingsError(`${path} does not hold a profile list; fix it, or remove it and run audit login`);
  }
  return parsed;
}

/** The file as JSON.parse gave it, so a change keeps what it does not touch (a person's notes). */
export interface RawConfig {
  activeProfile?: unknown;
  profiles: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The file's JSON, `{ profiles: {} }` when there is none. Any change needs an object with an
 * object of profiles; `strict` (the profile commands) also wants each profile of the right shape.
 */
export function readRawConfig(path: string, strict: boolean): RawConfig {
  const text = readConfigText(path);
  if (text === undefined) return { profiles: {} };
  const parsed = parseConfigText(path, text);
  const problem = strict
    ? shapeProblem(parsed)
    : parsed.profiles === undefined || isConfigRecord(parsed.profiles)
      ? undefined
      : shapeProblem(parsed);
  if (problem) {
    throw new SettingsError(`${path}: ${problem}; fix it, or remove the file and run audit login`);
  }
  return { ...parsed, profiles: (parsed.profiles as Record<string, unknown> | undefined) ?? {} };
}

/** The profiles, for the commands that show them: a file of an odd shape is an error. */
export function inspectConfigFile(path: string): ConfigFile {
  return decodeConfigFile(readRawConfig(path, true));
}
