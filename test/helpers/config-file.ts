/** The CLI's profile file as a test reads it back. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConfigFile {
  activeProfile?: string;
  profiles: Record<string, { server?: string; org?: string; token?: string }>;
}

export const configFile = (configDir: string) => join(configDir, 'config.json');

export const readConfig = (configDir: string) =>
  JSON.parse(readFileSync(configFile(configDir), 'utf8')) as ConfigFile;
