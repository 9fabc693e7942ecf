import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsError } from './settings.js';

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

/** The file `openProfileStore` keeps the profiles in (conf's `config.json` in the directory). */
export const configFileIn = (dir: string) => join(dir, 'config.json');

export type ProfileReader = ReturnType<typeof readProfiles>;

/**
 * The profiles as every command reads them: the JSON file that `openProfileStore` writes with
 * conf, read here with plain fs. Loading conf, and the JSON Schema validator it brings, was
 * 150 ms of the start of every command that talks to a server; only `login`, `logout` and
 * `server start` write the file, and they still go through conf (atomic writes, mode 0600).
 */
export function readProfiles(dir: string) {
  const path = configFileIn(dir);
  const file = readConfigFile(path);
  return {
    path,
    activeName(): string {
      return file.activeProfile ?? DEFAULT_PROFILE;
    },
    get(name: string): Profile | undefined {
      return Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined;
    },
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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new SettingsError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SettingsError(`${path} is not valid JSON; fix it, or remove it and run audit login`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SettingsError(`${path} does not hold a profile list; fix it, or remove it and run audit login`);
  }
  const { activeProfile, profiles } = parsed as Partial<ConfigFile>;
  return {
    ...(typeof activeProfile === 'string' ? { activeProfile } : {}),
    profiles: profiles !== null && typeof profiles === 'object' ? profiles : {},
  };
}
