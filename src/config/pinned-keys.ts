/**
 * The server keys this machine's profiles pinned (`audit verify` online keeps them in
 * `known-logs.json` beside config.json: profiles → organizations → verifier_key): the keys
 * `audit verify FILE` trusts when no `--key` is given. Read only; a missing or unreadable file
 * means no pinned key.
 */
import { join } from 'node:path';
import { parseConfigText, readConfigText } from './profile-reader.js';

export interface PinnedKey {
  profile: string;
  org: string;
  verifierKey: string;
}

export const KNOWN_LOGS_FILE = 'known-logs.json';

export function pinnedKeys(configDir: string): PinnedKey[] {
  const path = join(configDir, KNOWN_LOGS_FILE);
  let file: Record<string, unknown>;
  try {
    const text = readConfigText(path);
    if (text === undefined) return [];
    file = parseConfigText(path, text);
  } catch {
    return [];
  }
  const keys: PinnedKey[] = [];
  for (const [profile, orgs] of entries(file.profiles)) {
    for (const [org, log] of entries(orgs)) {
      const verifierKey = (log as { verifier_key?: unknown }).verifier_key;
      if (typeof verifierKey === 'string') keys.push({ profile, org, verifierKey });
    }
  }
  return keys;
}

function entries(value: unknown): [string, unknown][] {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value).filter(([, member]) => member !== null && typeof member === 'object')
    : [];
}
