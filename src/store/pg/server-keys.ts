import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateNoteKey, type NoteSigner, parseSignerKey } from '../../domain/signed-note.js';
import { defaultKeyName } from '../log-key-file.js';
import { KEY_CHECK, KEY_CHECK_TEXT, openWithKey, sealWithKey, settingLabel } from '../secret-box.js';
import { createKeyFile, readKeyFile, SecretsKeyError } from '../secrets-key-file.js';
import type { Queryable } from './pool.js';

/**
 * The server's keys on PostgreSQL live in server_settings, so every instance uses the same ones:
 * the stream-position key in the clear (as SQLite's), the GDPR pseudonym key and the checkpoint
 * signing key sealed under the secrets key, the one file every instance is given. A copy of the
 * database alone (a dump, a replica) holds neither usable. The first instance makes them, under
 * the migration lock; later ones check that their key file is the one they were sealed with.
 */
export const LOG_KEY_SETTING = 'log_signing_key';
export const PSEUDONYM_SETTING = 'pseudonym_secret';
export const POSITION_KEY_SETTING = 'stream_position_key';

/**
 * The secrets key as given: its bytes, or the key file every instance is given. A missing file
 * is made only for a database that has no keys yet (under the migration lock, so two instances
 * on one machine make one); for a database that has them it is an error, not a new key.
 */
export type SecretsKeySource = Buffer | { file: string };

export async function resolveSecretsKey(db: Queryable, source: SecretsKeySource): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return source;
  const existing = onKeyFile(source.file, 'read', () => readKeyFile(source.file));
  if (existing) return existing;
  if ((await readSetting(db, KEY_CHECK)) !== undefined) {
    throw new SecretsKeyError(
      `the secrets key file ${source.file} is missing, and this PostgreSQL database's secrets are sealed with one: copy the key file the other instances use (AUDIT_SECRETS_KEY_FILE)`,
    );
  }
  return onKeyFile(source.file, 'create', () => {
    // The default is in the data directory, which a machine that only runs against PostgreSQL
    // has not made yet; made as SQLite's database directory is, for its owner alone.
    mkdirSync(dirname(source.file), { recursive: true, mode: 0o700 });
    return createKeyFile(source.file);
  });
}

/** A file system failure of the key file as SecretsKeyError naming it (not a database failure). */
function onKeyFile<T>(file: string, verb: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof SecretsKeyError) throw error;
    throw new SecretsKeyError(`cannot ${verb} the secrets key file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Makes the keys a new database lacks and refuses a secrets key that is not this database's. */
export async function ensurePgServerKeys(
  db: Queryable,
  secretsKey: Buffer,
  keyName: string = defaultKeyName(),
): Promise<void> {
  const check = await readSetting(db, KEY_CHECK);
  if (check !== undefined) assertKeyMatches(secretsKey, check);
  const wanted: [string, () => string][] = [
    [KEY_CHECK, () => sealWithKey(secretsKey, settingLabel(KEY_CHECK), KEY_CHECK_TEXT)],
    [POSITION_KEY_SETTING, () => randomBytes(32).toString('hex')],
    [
      PSEUDONYM_SETTING,
      () => sealWithKey(secretsKey, settingLabel(PSEUDONYM_SETTING), randomBytes(32).toString('hex')),
    ],
    [
      LOG_KEY_SETTING,
      () => sealWithKey(secretsKey, settingLabel(LOG_KEY_SETTING), generateNoteKey(keyName).signerKey),
    ],
  ];
  for (const [key, make] of wanted) {
    await db.query('INSERT INTO server_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      key,
      make(),
    ]);
  }
}

/** A sealed setting, opened with the secrets key. */
export async function readPgSecret(db: Queryable, secretsKey: Buffer, key: string): Promise<string> {
  const stored = await readSetting(db, key);
  if (stored === undefined)
    throw new SecretsKeyError(`the PostgreSQL database has no ${key}; start the server once`);
  return openWithKey(secretsKey, settingLabel(key), stored);
}

/** The checkpoint signing key all instances share. */
export async function readPgLogKey(db: Queryable, secretsKey: Buffer): Promise<NoteSigner> {
  return parseSignerKey(await readPgSecret(db, secretsKey, LOG_KEY_SETTING));
}

function assertKeyMatches(secretsKey: Buffer, check: string): void {
  try {
    openWithKey(secretsKey, settingLabel(KEY_CHECK), check);
  } catch {
    throw new SecretsKeyError(
      "the secrets key file is not the one this PostgreSQL database's secrets were sealed with; give every instance the same key file (AUDIT_SECRETS_KEY_FILE)",
    );
  }
}

async function readSetting(db: Queryable, key: string): Promise<string | undefined> {
  const { rows } = await db.query<{ value: string }>('SELECT value FROM server_settings WHERE key = $1', [
    key,
  ]);
  return rows[0]?.value;
}
