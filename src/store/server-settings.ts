import type { Db } from './database.js';

/** One value of the server_settings table (keys made by migrations), or undefined. */
export function readServerSetting(db: Db, key: string): string | undefined {
  const value = db
    .prepare<[string], string>('SELECT value FROM server_settings WHERE key = ?')
    .pluck()
    .get(key);
  return value === undefined ? undefined : String(value);
}
