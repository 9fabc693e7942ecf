import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { withoutBusyWait } from './busy.js';
import { replaceLostSecretsKey } from './lost-secrets-key.js';
import {
  attachSecretsKey,
  isSealed,
  KEY_CHECK,
  KEY_CHECK_TEXT,
  openSecret,
  sealSecret,
  settingLabel,
  webhookSecretLabel,
} from './secret-box.js';
import { createKeyFile, keyFileFor, readKeyFile, SecretsKeyError } from './secrets-key-file.js';

export interface SecretsAtRestOptions {
  readonly: boolean;
  /** The key file is lost for good: make a new one and replace what the old one sealed. */
  replaceLostKey?: boolean;
  /** Told how many webhooks got a new, unknown secret when a lost key was replaced. */
  onLostKeyReplaced?: (webhooksNeedingNewSecrets: number) => void;
}

/**
 * Finds the database's secrets key (creating it with a new database), checks that it is the
 * right one, and seals any secret still stored in the clear (a database from before sealing).
 * An in-memory database gets a key that lives as long as it does.
 */
export function openSecretsAtRest(db: Database.Database, file: string, options: SecretsAtRestOptions): void {
  const keyFile = keyFileFor(file);
  // A read-only look at a database no server has migrated yet: nothing sealed to open.
  if (options.readonly && !hasSettings(db)) return;
  const check = db
    .prepare<[string], string>('SELECT value FROM server_settings WHERE key = ?')
    .pluck()
    .get(KEY_CHECK);
  let key = file === ':memory:' ? randomBytes(32) : readKeyFile(keyFile);
  if (!key && check !== undefined) {
    if (options.replaceLostKey && !options.readonly) {
      options.onLostKeyReplaced?.(replaceLostSecretsKey(db, keyFile, KEY_CHECK));
      dropWalHistory(db);
      return;
    }
    throw new SecretsKeyError(
      `${file} holds secrets sealed with the key file ${keyFile}, which is missing; restore it from the backup taken with the database (if it is lost for good: audit server start --replace-lost-secrets-key)`,
    );
  }
  if (key && options.replaceLostKey) {
    throw new SecretsKeyError(`${keyFile} is not lost; start without --replace-lost-secrets-key`);
  }
  if (!key) {
    if (options.readonly) return;
    key = createKeyFile(keyFile);
  }
  attachSecretsKey(db, key);
  if (check !== undefined) {
    try {
      openSecret(db, settingLabel(KEY_CHECK), check);
    } catch {
      throw new SecretsKeyError(
        `${keyFile} is not the key this database's secrets were sealed with; restore the key file backed up with ${file}`,
      );
    }
  }
  if (options.readonly) return;
  if (sealCleartext(db, check === undefined) > 0) dropWalHistory(db);
}

/**
 * Checkpoints and truncates the WAL, so the earlier versions of pages just rewritten (a secret
 * in the clear, a deleted webhook's URL) leave the files; secure_delete has zeroed them in the
 * main file. Best effort, and without waiting (the event loop must not stall): while a reader
 * holds an old snapshot or another process writes, the WAL stays until the next time.
 */
export function dropWalHistory(db: Database.Database): void {
  if (db.name === ':memory:') return;
  withoutBusyWait(db, () => db.pragma('wal_checkpoint(TRUNCATE)'));
}

function hasSettings(db: Database.Database): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'server_settings'").get() !==
    undefined
  );
}

/** Seals cleartext secrets and wipes those of deleted webhooks; answers how many rows changed. */
function sealCleartext(db: Database.Database, addCheck: boolean): number {
  const settings = db
    .prepare<[], { key: string; value: string }>(
      "SELECT key, value FROM server_settings WHERE key = 'pseudonym_secret'",
    )
    .all()
    .filter((row) => !isSealed(row.value));
  const live = db
    .prepare<[], { id: number; public_id: string; secret: string }>(
      "SELECT id, public_id, secret FROM webhooks WHERE deleted_at IS NULL AND secret NOT LIKE 'sealed:%'",
    )
    .all();
  const deleted = db
    .prepare<[], { id: number; url: string }>(
      "SELECT id, url FROM webhooks WHERE deleted_at IS NOT NULL AND secret <> ''",
    )
    .all();
  if (settings.length + live.length + deleted.length === 0 && !addCheck) return 0;
  const putSetting = db.prepare('INSERT OR REPLACE INTO server_settings (key, value) VALUES (?, ?)');
  const putSecret = db.prepare('UPDATE webhooks SET secret = ? WHERE id = ?');
  const forget = db.prepare("UPDATE webhooks SET url = ?, secret = '' WHERE id = ?");
  db.transaction(() => {
    for (const { key, value } of settings) putSetting.run(key, sealSecret(db, settingLabel(key), value));
    for (const { id, public_id, secret } of live) {
      putSecret.run(sealSecret(db, webhookSecretLabel(public_id), secret), id);
    }
    for (const { id, url } of deleted) forget.run(forgottenUrl(url), id);
    if (addCheck) putSetting.run(KEY_CHECK, sealSecret(db, settingLabel(KEY_CHECK), KEY_CHECK_TEXT));
  }).immediate();
  return settings.length + live.length + deleted.length + (addCheck ? 1 : 0);
}

/** What a deleted webhook keeps of its URL: the origin, which audit records name anyway. */
export function forgottenUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
