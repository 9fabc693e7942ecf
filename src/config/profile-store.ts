import { chmodSync } from 'node:fs';
import Conf from 'conf';
import { configDir } from './paths.js';
import {
  activeNameIn,
  CONFIG_NAME,
  type ConfigFile,
  decodeConfigFile,
  type Profile,
  profileIn,
} from './profile-file.js';
import { fileFailure, SettingsError } from './settings.js';

/**
 * Named profiles in one JSON file, like gh's hosts.yml: written mode 0600 because it holds
 * tokens. `conf` writes atomically, so a crash never leaves a half-written file. For the
 * commands that write it; every other command reads it with readProfiles (profile-reader.ts).
 */
export function openProfileStore(dir: string = configDir()) {
  const conf = saving(
    dir,
    () =>
      new Conf<ConfigFile>({
        cwd: dir,
        configName: CONFIG_NAME,
        configFileMode: 0o600,
        defaults: { profiles: {} },
        projectSuffix: '',
      }),
  );
  // conf applies the mode on create; tighten a file that an older version or a person loosened.
  const tighten = () => {
    try {
      chmodSync(conf.path, 0o600);
    } catch {
      // Not written yet: nothing to tighten.
    }
  };

  // Read as the fast reader reads: the same decoding of the same file.
  const read = () => decodeConfigFile(conf.store as unknown as Record<string, unknown>);

  return {
    path: conf.path,
    activeName: (): string => activeNameIn(read()),
    get: (name: string): Profile | undefined => profileIn(read(), name),
    set(name: string, profile: Profile): void {
      saving(dir, () => conf.set('profiles', { ...conf.get('profiles'), [name]: profile }));
      tighten();
    },
    setActive(name: string): void {
      saving(dir, () => conf.set('activeProfile', name));
      tighten();
    },
  };
}

export type ProfileStore = ReturnType<typeof openProfileStore>;

/** A file system failure of the profile file as a one-line SettingsError naming the directory. */
function saving<T>(dir: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw new SettingsError(
      `cannot save profiles in ${dir}: ${fileFailure(error)}; fix its permissions, or set AUDIT_CONFIG_DIR to a directory of yours`,
      { cause: error },
    );
  }
}
