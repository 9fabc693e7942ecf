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

/**
 * Named profiles in one JSON file, like gh's hosts.yml: written mode 0600 because it holds
 * tokens. `conf` writes atomically, so a crash never leaves a half-written file. For the
 * commands that write it; every other command reads it with readProfiles (profile-reader.ts).
 */
export function openProfileStore(dir: string = configDir()) {
  const conf = new Conf<ConfigFile>({
    cwd: dir,
    configName: CONFIG_NAME,
    configFileMode: 0o600,
    defaults: { profiles: {} },
    projectSuffix: '',
  });
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
      conf.set('profiles', { ...conf.get('profiles'), [name]: profile });
      tighten();
    },
    setActive(name: string): void {
      conf.set('activeProfile', name);
      tighten();
    },
  };
}

export type ProfileStore = ReturnType<typeof openProfileStore>;
