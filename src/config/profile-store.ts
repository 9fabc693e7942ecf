import { chmodSync } from 'node:fs';
import Conf from 'conf';
import { configDir } from './paths.js';
import { type ConfigFile, DEFAULT_PROFILE, type Profile } from './profile-reader.js';

export { DEFAULT_PROFILE, type Profile } from './profile-reader.js';

/**
 * Named profiles in one JSON file, like gh's hosts.yml: written mode 0600 because it holds
 * tokens. `conf` writes atomically, so a crash never leaves a half-written file. For the
 * commands that write it; every other command reads it with readProfiles (profile-reader.ts).
 */
export function openProfileStore(dir: string = configDir()) {
  const conf = new Conf<ConfigFile>({
    cwd: dir,
    configName: 'config',
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

  return {
    path: conf.path,
    activeName(): string {
      return conf.get('activeProfile') ?? DEFAULT_PROFILE;
    },
    get(name: string): Profile | undefined {
      return conf.get('profiles')[name];
    },
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
