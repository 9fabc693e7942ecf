import { randomBytes } from 'node:crypto';
import { createPrivateFile, readPrivateFile } from './private-file.js';

/**
 * The key that seals the database's secrets (webhook signing secrets, the GDPR pseudonym key)
 * lives in a file of its own beside the database, so a copy of the database file alone (a
 * stolen backup, a shared disk image) does not hold them in a usable form.
 *
 * Format: 64 lowercase hex digits (32 random bytes, an AES-256 key) and a newline.
 * Mode: 0600, refused (like ssh) if group or others may read or write it.
 */
export const KEY_BYTES = 32;

/** A problem with the key file that the operator must fix; the server does not start. */
export class SecretsKeyError extends Error {
  override readonly name = 'SecretsKeyError';
  readonly code = 'ERR_SECRETS_KEY';
}

export function keyFileFor(dbFile: string): string {
  return `${dbFile}.key`;
}

/** The key in `file`, or undefined if there is no such file. */
export function readKeyFile(file: string): Buffer | undefined {
  const text = readPrivateFile(file, (problem) => new SecretsKeyError(`the secrets key ${problem}`))?.trim();
  if (text === undefined) return undefined;
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new SecretsKeyError(`the secrets key ${file} is not 64 hex digits; restore it from your backup`);
  }
  return Buffer.from(text, 'hex');
}

/**
 * Creates the key file with a new random key, mode 0600, or answers the key another process
 * created first: the file appears whole (written aside, then hard-linked into place) or not at all.
 */
export function createKeyFile(file: string): Buffer {
  const key = randomBytes(KEY_BYTES);
  return createPrivateFile(file, `${key.toString('hex')}\n`) ? key : (readKeyFile(file) as Buffer);
}
