/**
 * The changes `profile use`, `profile remove` and `logout` make to the profile file, each one
 * read-change-write under the file's lock (ProfileStore.update), and which profile is active
 * afterwards, so the command can say it.
 */
import { activeNameIn, type ConfigFile, DEFAULT_PROFILE, profileIn } from './profile-file.js';
import { assertProfileName } from './profile-name.js';
import type { ProfileStore } from './profile-store.js';
import { SettingsError } from './settings-error.js';

/** The profile a command falls back to: "default" if it has a token, else the first that has one. */
export function profileWithToken(file: ConfigFile, except: string): string | undefined {
  const candidates = Object.entries(file.profiles).filter(
    ([name, profile]) => name !== except && profile.token,
  );
  const names = candidates.map(([name]) => name);
  return names.includes(DEFAULT_PROFILE) ? DEFAULT_PROFILE : names[0];
}

/** Makes `name` the file's active profile; it must exist. */
export function useProfile(store: ProfileStore, name: string): void {
  assertProfileName(name, 'profile use');
  store.update((raw, file) => {
    if (!profileIn(file, name)) throw noSuchProfile(store.path, file, name);
    raw.activeProfile = name;
  }, true);
}

export interface Removal {
  hadToken: boolean;
  /** The file's active profile afterwards; undefined when none is left. */
  active: string | undefined;
  activeChanged: boolean;
}

/**
 * Deletes the profile and its token. When it was the active one, "default" takes its place if
 * it exists, else a profile with a token, else any; with none left the file names none.
 */
export function removeProfile(store: ProfileStore, name: string): Removal {
  return store.update((raw, file) => {
    const profile = profileIn(file, name);
    if (!profile) {
      // A name that exists is removed whatever it looks like (a hand edit); any other must be valid.
      assertProfileName(name, 'profile remove');
      throw noSuchProfile(store.path, file, name);
    }
    delete raw.profiles[name];
    const wasActive = activeNameIn(file) === name;
    const left = Object.keys(raw.profiles);
    if (!wasActive)
      return { hadToken: Boolean(profile.token), active: activeNameIn(file), activeChanged: false };
    const next = left.includes(DEFAULT_PROFILE) ? DEFAULT_PROFILE : (profileWithToken(file, name) ?? left[0]);
    if (next === undefined) delete raw.activeProfile;
    else raw.activeProfile = next;
    return { hadToken: Boolean(profile.token), active: next, activeChanged: true };
  }, true);
}

export interface Logout {
  forgot: boolean;
  /** The file's active profile afterwards. */
  active: string;
  /** True when the profile logged out of was the active one and "default" (with a token) took over. */
  switched: boolean;
}

/**
 * Forgets the profile's token (server and organization stay). When it was the active profile,
 * "default" becomes active again if it has a token, so the next command is not stuck on a
 * profile that cannot sign in.
 */
export function logOut(store: ProfileStore, name: string): Logout {
  return store.update((raw, file) => {
    const profile = raw.profiles[name];
    const forgot = Boolean(profileIn(file, name)?.token);
    if (forgot && profile !== null && typeof profile === 'object') {
      delete (profile as Record<string, unknown>).token;
    }
    const active = activeNameIn(file);
    const fallback = profileIn(file, DEFAULT_PROFILE)?.token ? DEFAULT_PROFILE : undefined;
    if (active !== name || fallback === undefined || fallback === name) {
      return { forgot, active, switched: false };
    }
    raw.activeProfile = fallback;
    return { forgot, active: fallback, switched: true };
  });
}

function noSuchProfile(path: string, file: ConfigFile, name: string): SettingsError {
  const names = Object.keys(file.profiles);
  const existing = names.length === 0 ? 'there are none yet' : `profiles: ${names.join(', ')}`;
  return new SettingsError(
    `no profile "${name}" in ${path} (${existing}); create it with audit login --profile ${name}`,
  );
}
