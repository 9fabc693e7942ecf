import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

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
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new SecretsKeyError(
      `the secrets key ${file} may be read or changed by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}`,
    );
  }
  const text = readFileSync(file, 'utf8').trim();
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
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(draft, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, file);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readKeyFile(file) as Buffer;
  } finally {
    unlinkSync(draft);
  }
}
