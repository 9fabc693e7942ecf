import { readFileSync, statSync } from 'node:fs';
import {
  activeNameIn,
  type ConfigFile,
  configFileIn,
  decodeConfigFile,
  isConfigRecord,
  type Profile,
  profileIn,
} from './profile-file.js';
import { fileFailure, SettingsError } from './settings.js';

export type ProfileReader = ReturnType<typeof readProfiles>;

/**
 * The profiles as every command reads them: the JSON file that `openProfileStore` writes with
 * conf, read here with plain fs. Loading conf, and the JSON Schema validator it brings, would
 * cost ~150 ms at the start of every command that talks to a server; only `login`, `logout` and
 * `server start` write the file, and they still go through conf (atomic writes, mode 0600).
 */
export function readProfiles(dir: string) {
  const path = configFileIn(dir);
  const file = readConfigFile(path);
  return {
    path,
    activeName: (): string => activeNameIn(file),
    get: (name: string): Profile | undefined => profileIn(file, name),
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
    throw new SettingsError(
      `cannot read ${path}: ${fileFailure(error)}; fix its permissions, or set AUDIT_CONFIG_DIR to a directory of yours`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SettingsError(`${path} is not valid JSON; fix it, or remove it and run audit login`);
  }
  if (!isConfigRecord(parsed)) {
    throw new SettingsError(`${path} does not hold a profile list; fix it, or remove it and run audit login`);
  }
  return decodeConfigFile(parsed);
}
