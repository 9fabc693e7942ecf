/**
 * What `audit verify` remembers of each organization's log, per profile, like ssh's known_hosts:
 * the server's verifier key, pinned the first time the profile verifies that organization, and
 * the last checkpoint the profile verified, against which the next one must be consistent.
 *
 * The file is `known-logs.json` beside config.json (a re-login rewrites a profile whole, and a
 * pin must outlive it), mode 0600, changed under its lock and written whole (file-lock.ts,
 * atomic-write.ts) like the profiles:
 *   { "profiles": { "<profile>": { "<org>": { verifier_key, fingerprint, pinned_at,
 *                                            checkpoint, checkpoint_seen_at } } } }
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeDrafts, writeFileAtomically } from './atomic-write.js';
import { withFileLock } from './file-lock.js';
import { parseConfigText, readConfigText } from './profile-reader.js';
import { cannotSaveProfiles, SettingsError } from './settings-error.js';

export interface KnownLog {
  /** The C2SP verifier key text, `<name>+<hash>+<key>`. */
  verifier_key: string;
  fingerprint: string;
  pinned_at: string;
  /** The last verified checkpoint, the signed note's text. */
  checkpoint?: string;
  checkpoint_seen_at?: string;
}

type KnownLogsFile = { profiles: Record<string, Record<string, KnownLog>> };

export const knownLogsFileIn = (dir: string) => join(dir, 'known-logs.json');

export function openKnownLogs(dir: string) {
  const path = knownLogsFileIn(dir);

  function read(): KnownLogsFile {
    const text = readConfigText(path);
    if (text === undefined) return { profiles: {} };
    let parsed: Record<string, unknown>;
    try {
      parsed = parseConfigText(path, text);
    } catch {
      throw new SettingsError(
        `${path} is not the JSON audit verify wrote; fix it, or remove it (the next verify pins the server's key again)`,
      );
    }
    return {
      ...parsed,
      profiles: isRecord(parsed.profiles) ? (parsed.profiles as KnownLogsFile['profiles']) : {},
    };
  }

  return {
    path,
    /** The entry of `org` in `profile`; undefined when none, or when the file's entry is not of the shape. */
    get(profile: string, org: string): KnownLog | undefined {
      const entry = ownValue(ownValue(read().profiles, profile), org);
      return isKnownLog(entry) ? entry : undefined;
    },
    /**
     * Changes the entry under the file's lock: `change` gets the entry as it is now (another
     * verify may have run since it was read) and returns the new one, or undefined to leave it.
     */
    update(
      profile: string,
      org: string,
      change: (current: KnownLog | undefined) => KnownLog | undefined,
    ): void {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw cannotSaveProfiles(dir, error);
      }
      withFileLock(path, () => {
        const file = read();
        const orgs = isRecord(ownValue(file.profiles, profile))
          ? (ownValue(file.profiles, profile) as Record<string, KnownLog>)
          : {};
        const current = ownValue(orgs, org);
        const next = change(isKnownLog(current) ? current : undefined);
        if (next === undefined) return;
        defineOwn(orgs, org, next);
        defineOwn(file.profiles, profile, orgs);
        try {
          writeFileAtomically(path, `${JSON.stringify(file, undefined, '\t')}\n`);
        } catch (error) {
          throw cannotSaveProfiles(path, error);
        }
        removeDrafts(path);
      });
    },
  };
}

export type KnownLogs = ReturnType<typeof openKnownLogs>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function ownValue(record: unknown, key: string): unknown {
  return isRecord(record) && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets an own property, so an org or profile named `__proto__` stays a name. */
function defineOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function isKnownLog(value: unknown): value is KnownLog {
  return (
    isRecord(value) &&
    typeof value.verifier_key === 'string' &&
    typeof value.fingerprint === 'string' &&
    typeof value.pinned_at === 'string' &&
    (value.checkpoint === undefined || typeof value.checkpoint === 'string')
  );
}
