import type { Db } from './database.js';

/** One value of the server_settings table (keys made by migrations), or undefined. */
export function readServerSetting(db: Db, key: string): string | undefined {
  const value = db
    .prepare<[string], string>('SELECT value FROM server_settings WHERE key = ?')
    .pluck()
    .get(key);
  return value === undefined ? undefined : String(value);
}

export type ServerSettings = ReturnType<typeof createServerSettings>;

/** The server's own settings (keys made by migrations), read by key. */
export function createServerSettings(db: Db) {
  return {
    read: (key: string): string | undefined => readServerSetting(db, key),
  };
}
