import { mkdirSync } from 'node:fs';
import { removeDrafts, writeFileAtomically } from './atomic-write.js';
import { withFileLock } from './file-lock.js';
import { configDir } from './paths.js';
import { type ConfigFile, configFileIn, decodeConfigFile, type Profile } from './profile-file.js';
import { type RawConfig, readProfiles, readRawConfig } from './profile-reader.js';

import { cannotSaveProfiles } from './settings-error.js';

/**
 * Named profiles in one JSON file, like gh's hosts.yml: mode 0600 because it holds tokens.
 * Every change reads, changes and writes the file under its lock (file-lock.ts) and writes it
 * whole (atomic-write.ts), so two commands at once lose neither's change and a crash never
 * leaves half a file. For the commands that change profiles; every other command reads the
 * file with readProfiles (profile-reader.ts), which decodes it the same way.
 */
export function openProfileStore(dir: string = configDir()) {
  const path = configFileIn(dir);

  /** Runs `change` on the file's current contents under its lock, then writes what changed. */
  function update<T>(change: (raw: RawConfig, file: ConfigFile) => T, strict = false): T {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw cannotSaveProfiles(dir, error);
    }
    return withFileLock(path, () => {
      const raw = readRawConfig(path, strict);
      const before = JSON.stringify(raw);
      const result = change(raw, decodeConfigFile(raw));
      if (JSON.stringify(raw) === before) return result;
      try {
        writeFileAtomically(path, `${JSON.stringify(raw, undefined, '\t')}\n`);
      } catch (error) {
        throw cannotSaveProfiles(path, error);
      }
      removeDrafts(path);
      return result;
    });
  }

  return {
    path,
    // Read as every other command reads: the same decoding of the same file.
    activeName: (): string => readProfiles(dir).activeName(),
    get: (name: string): Profile | undefined => readProfiles(dir).get(name),
    update,
    set(name: string, profile: Profile): void {
      update((raw) => putProfile(raw, name, profile));
    },
    /** Saves the profile and makes it the active one, in one change. */
    saveActive(name: string, profile: Profile): void {
      update((raw) => {
        putProfile(raw, name, profile);
        raw.activeProfile = name;
      });
    },
    setActive(name: string): void {
      update((raw) => {
        raw.activeProfile = name;
      });
    },
  };
}

export type ProfileStore = ReturnType<typeof openProfileStore>;

/** Sets an own property, so a name such as `__proto__` stays a name. */
export function putProfile(raw: RawConfig, name: string, profile: Profile): void {
  Object.defineProperty(raw.profiles, name, {
    value: profile,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
