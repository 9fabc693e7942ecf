/**
 * Opening `NAME.partial` so that nobody else's file is ever written, truncated or chmodded
 * through it: output directories may be shared, and a link planted at the partial path would
 * otherwise aim the export (as the user running it, often root under cron) at any file.
 * A new partial is created with O_CREAT | O_EXCL | O_NOFOLLOW; a resume opens the existing one
 * with O_NOFOLLOW and keeps it only if it is a regular file of ours with no other hard link.
 */
import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, unlink } from 'node:fs/promises';

/** A path the CLI refuses to write or replace; the message is one line for the user. */
export class UnsafeOutputError extends Error {
  override readonly name = 'UnsafeOutputError';
}

// Windows has no O_NOFOLLOW; O_EXCL still refuses an existing link there.
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
// A FIFO planted for a resume must fail the open, not block it until someone reads.
const NON_BLOCKING = constants.O_NONBLOCK ?? 0;
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;
const APPEND_EXISTING = constants.O_WRONLY | constants.O_APPEND | NO_FOLLOW | NON_BLOCKING;

export interface OpenedPartial {
  handle: FileHandle;
  /** True when a resume continues a non-empty partial. */
  appended: boolean;
}

/**
 * The partial file, mode 0600. `append`: continue the partial an interrupted export left, if
 * it is ours; otherwise a stale partial of ours (a crash) is removed and a new one created.
 */
export async function openPartial(path: string, append: boolean): Promise<OpenedPartial> {
  if (append) {
    const existing = await openExisting(path);
    if (existing) return existing;
  } else {
    await removeStale(path);
  }
  try {
    return { handle: await open(path, CREATE_NEW, 0o600), appended: false };
  } catch (error) {
    throw await explained(error, path, 'write');
  }
}

/** Refuses to replace a symbolic link at `path` (a rename would put the file where the link was). */
export async function assertNotSymlink(path: string): Promise<void> {
  const stats = await lstatOrUndefined(path);
  if (stats?.isSymbolicLink()) throw refusal('replace', path, 'it is a symbolic link');
}

async function openExisting(path: string): Promise<OpenedPartial | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, APPEND_EXISTING);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw await explained(error, path, 'write');
  }
  try {
    const stats = await handle.stat();
    const problem = problemWith(stats);
    if (problem) throw refusal('write', path, problem);
    // Ours and only ours (checked above): make sure it is private before more data goes in.
    await handle.chmod(0o600);
    return { handle, appended: stats.size > 0 };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** A partial a crash left behind is ours to remove; anything else there is not ours to touch. */
async function removeStale(path: string): Promise<void> {
  const stats = await lstatOrUndefined(path);
  if (!stats) return;
  // A hard link to another file is harmless to unlink: only this name goes.
  const problem = problemWith(stats, { ignoreLinks: true });
  if (problem) throw refusal('write', path, problem);
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

function problemWith(stats: Stats, options: { ignoreLinks?: boolean } = {}): string | undefined {
  if (stats.isSymbolicLink()) return 'it is a symbolic link';
  if (!stats.isFile()) return 'it is not a regular file';
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return 'it belongs to another user';
  if (!options.ignoreLinks && stats.nlink > 1) return 'it has other hard links';
  return undefined;
}

/** An open that failed because of what is at `path` (a link, a FIFO, a file that appeared) said plainly. */
async function explained(error: unknown, path: string, verb: 'write'): Promise<unknown> {
  const code = (error as NodeJS.ErrnoException).code;
  // ELOOP: O_NOFOLLOW met a link (EMLINK on FreeBSD); EEXIST: something appeared; ENXIO: a FIFO.
  if (code !== 'ELOOP' && code !== 'EMLINK' && code !== 'EEXIST' && code !== 'ENXIO') return error;
  const stats = await lstatOrUndefined(path);
  const problem = stats ? problemWith(stats) : undefined;
  return refusal(verb, path, problem ?? 'another program created it meanwhile');
}

function refusal(verb: 'write' | 'replace', path: string, problem: string): UnsafeOutputError {
  return new UnsafeOutputError(`refusing to ${verb} ${path}: ${problem}; remove it and run again`);
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
