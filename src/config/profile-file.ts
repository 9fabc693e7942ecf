import { join } from 'node:path';

/**
 * The profile file's shape, and how it is read: one definition for its writer
 * (profile-store.ts) and its fast reader (profile-reader.ts), so both read any file the same.
 */
export interface Profile {
  server?: string;
  org?: string;
  token?: string;
}

export interface ConfigFile {
  activeProfile?: string;
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = 'default';

/** The file is `config.json` in the config directory. */
export const configFileIn = (dir: string) => join(dir, 'config.json');

const PROFILE_FIELDS = ['server', 'org', 'token'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The file's parsed JSON as profiles: what is not of the shape (a person's edit, an older
 * version's file) reads as absent, never as something else.
 */
export function decodeConfigFile(parsed: Record<string, unknown>): ConfigFile {
  const { activeProfile, profiles } = parsed;
  const decoded: Record<string, Profile> = {};
  if (isRecord(profiles)) {
    for (const [name, entry] of Object.entries(profiles)) {
      if (!isRecord(entry)) continue;
      const profile: Profile = {};
      for (const field of PROFILE_FIELDS) {
        const value = entry[field];
        if (typeof value === 'string') profile[field] = value;
      }
      // Own keys only, and a name such as `__proto__` stays a name.
      Object.defineProperty(decoded, name, { value: profile, enumerable: true, writable: true });
    }
  }
  return { ...(typeof activeProfile === 'string' ? { activeProfile } : {}), profiles: decoded };
}

export function isConfigRecord(value: unknown): value is Record<string, unknown> {
  return isRecord(value);
}

/** The profile the commands use when none is named. */
export function activeNameIn(file: ConfigFile): string {
  return file.activeProfile ?? DEFAULT_PROFILE;
}

/** The profile of that name: its own entry only (`constructor` is no profile). */
export function profileIn(file: ConfigFile, name: string): Profile | undefined {
  return Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined;
}

/**
 * What is wrong with the file's shape, for the commands that show or change profiles (a
 * person's edit gone wrong): undefined when every profile is an object of text fields.
 */
export function shapeProblem(parsed: unknown): string | undefined {
  if (!isRecord(parsed)) return 'does not hold an object of profiles';
  const { activeProfile, profiles } = parsed;
  if (activeProfile !== undefined && typeof activeProfile !== 'string') return '"activeProfile" is not text';
  if (profiles === undefined) return undefined;
  if (!isRecord(profiles)) return '"profiles" is not an object of profiles';
  for (const [name, entry] of Object.entries(profiles)) {
    if (!isRecord(entry)) return `profile ${JSON.stringify(name)} is not an object`;
    for (const field of PROFILE_FIELDS) {
      if (entry[field] !== undefined && typeof entry[field] !== 'string')
        return `the ${field} of profile ${JSON.stringify(name)} is not text`;
    }
  }
  return undefined;
}
