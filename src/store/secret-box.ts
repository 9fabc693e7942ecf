import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * Secrets sealed with AES-256-GCM under the key of the database they are stored in. A sealed
 * value reads `sealed:v1:` and base64url of IV (12 bytes), tag (16) and ciphertext. The label
 * (which row and column it belongs to) is authenticated too, so a sealed value copied into
 * another row does not open there.
 */
const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const keys = new WeakMap<Database.Database, Buffer>();

export function attachSecretsKey(db: Database.Database, key: Buffer): void {
  keys.set(db, key);
}

function keyOf(db: Database.Database): Buffer {
  const key = keys.get(db);
  if (!key) throw new Error('this database connection was not opened with its secrets key (openDatabase)');
  return key;
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function sealSecret(db: Database.Database, label: string, plaintext: string): string {
  return sealWithKey(keyOf(db), label, plaintext);
}

/** Seals under a key held outside a SQLite connection (PostgreSQL: every instance's key file). */
export function sealWithKey(key: Buffer, label: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(label, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The plaintext of a sealed value; throws if it was sealed under another key or label. */
export function openSecret(db: Database.Database, label: string, stored: string): string {
  return openWithKey(keyOf(db), label, stored);
}

/** The plaintext of a value sealed with `sealWithKey`; throws if the key or label differ. */
export function openWithKey(key: Buffer, label: string, stored: string): string {
  if (!isSealed(stored)) throw new Error(`the secret of ${label} is not sealed`);
  const bytes = Buffer.from(stored.slice(PREFIX.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(label, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}

/** A sealed known value: proves at open that the key file is the one this database's secrets need. */
export const KEY_CHECK = 'secrets_key_check';
export const KEY_CHECK_TEXT = 'audit secrets key';

/** Labels, one per place a secret is stored. */
export const settingLabel = (key: string) => `server_settings:${key}`;
export const webhookSecretLabel = (publicId: string) => `webhooks.secret:${publicId}`;

/** A server setting that is stored sealed (the GDPR pseudonym key), opened. */
export function serverSecret(db: Database.Database, key: string): string {
  const stored = db
    .prepare<[string], string>('SELECT value FROM server_settings WHERE key = ?')
    .pluck()
    .get(key);
  if (stored === undefined) throw new Error(`no server setting ${key}`);
  return openSecret(db, settingLabel(key), stored);
}
