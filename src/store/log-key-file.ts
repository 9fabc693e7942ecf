import { hostname } from 'node:os';
import { generateNoteKey, type NoteSigner, parseSignerKey, SignedNoteError } from '../domain/signed-note.js';
import { createPrivateFile, readPrivateFile } from './private-file.js';

/**
 * The server's signing key for checkpoints: an Ed25519 key in a file of its own beside the
 * database, made at first start. Format: the C2SP signed-note signer key text
 * (`PRIVATE+KEY+<name>+<hash>+<key>`) and a newline; mode 0600. Its name is the host's name at
 * the time it was made and names the server in every organization's log origin.
 */

/** A problem with the key file that the operator must fix; the server does not start. */
export class LogKeyError extends Error {
  override readonly name = 'LogKeyError';
  readonly code = 'ERR_LOG_KEY';
}

export function logKeyFileFor(dbFile: string): string {
  return `${dbFile}.log-key`;
}

/** The key beside `dbFile`, made now if there is none; an in-memory database gets one in memory. */
export function openLogKey(dbFile: string, name: string = defaultKeyName()): NoteSigner {
  if (dbFile === ':memory:') return parseSignerKey(generateNoteKey(name).signerKey);
  const file = logKeyFileFor(dbFile);
  const existing = readLogKeyFile(file);
  if (existing) return existing;
  createPrivateFile(file, `${generateNoteKey(name).signerKey}\n`);
  return readLogKeyFile(file) as NoteSigner;
}

/** The key in `file`, or undefined if there is no such file. */
export function readLogKeyFile(file: string): NoteSigner | undefined {
  const text = readPrivateFile(file, (problem) => new LogKeyError(`the log signing key ${problem}`));
  if (text === undefined) return undefined;
  try {
    return parseSignerKey(text.trim());
  } catch (error) {
    if (!(error instanceof SignedNoteError)) throw error;
    throw new LogKeyError(
      `the log signing key ${file} is not a signer key (${error.message}); restore it from your backup`,
    );
  }
}

/** The host name, reduced to what a key name may hold. */
export function defaultKeyName(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 64);
  return name === '' ? 'audit' : name;
}
