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
 * A key file beside the database: mode 0600, refused (like ssh) when group or others may read
 * or write it or another user owns it, and created whole or not at all, by one process of
 * several starting at once.
 */

/** The file's text, or undefined if there is no such file; `refuse` builds the error to throw. */
export function readPrivateFile(file: string, refuse: (message: string) => Error): string | undefined {
  let mode: number;
  let owner: number;
  try {
    ({ mode, uid: owner } = statSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw refuse(
      `${file} may be read or changed by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}`,
    );
  }
  // As ssh: a file another user owns (planted in a shared directory, readable by a server run
  // as root) holds a key that user knows; only this process's user or root may own it.
  const self = process.getuid?.();
  if (self !== undefined && owner !== self && owner !== 0) {
    throw refuse(`${file} belongs to another user (uid ${owner}); run chown ${self} ${file}`);
  }
  return readFileSync(file, 'utf8');
}

/**
 * Writes `text` to `file` (mode 0600) unless it exists: written aside, synced, then hard-linked
 * into place. Answers false when another process created the file first (read theirs).
 */
export function createPrivateFile(file: string, text: string): boolean {
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(draft, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(draft);
  }
}
