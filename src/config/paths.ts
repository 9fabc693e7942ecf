import { homedir } from 'node:os';
import { join } from 'node:path';

const APP = 'audit';

/** Where profiles live: AUDIT_CONFIG_DIR, else $XDG_CONFIG_HOME/audit, else the platform's place. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUDIT_CONFIG_DIR) return env.AUDIT_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, APP);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Preferences', APP);
  if (process.platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP, 'Config');
  return join(homedir(), '.config', APP);
}

/** Where the bundled server keeps its database by default: AUDIT_DATA_DIR, else the platform's data dir. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUDIT_DATA_DIR) return env.AUDIT_DATA_DIR;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, APP);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP);
  if (process.platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), APP, 'Data');
  return join(homedir(), '.local', 'share', APP);
}

export function defaultDatabaseFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'audit.db');
}
