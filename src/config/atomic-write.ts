/**
 * Writes the config file whole or not at all (through a symbolic link, the file it names): the
 * text goes to a draft beside it (mode 0600, created exclusively, fsynced) that is renamed over
 * the file, then the directory is fsynced.
 * A reader sees the old file or the new one, never half of either; the old contents (a token
 * just forgotten) leave with the old inode, no copy of them stays under any name we made.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomically(linkOrFile: string, text: string): void {
  const file = writeTarget(linkOrFile);
  const dir = dirname(file);
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(draft, 'wx', 0o600);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(draft, file);
  } catch (error) {
    try {
      unlinkSync(draft);
    } catch {
      // Renamed already, or never made: nothing to clean.
    }
    throw error;
  }
  fsyncDirectory(dir);
}

/**
 * Drafts that an interrupted write left beside `file` (ours, and conf's `FILE.tmp-…` from
 * earlier versions): each may hold tokens. Only called with the file's lock held, when no
 * draft can be in use.
 */
export function removeDrafts(linkOrFile: string): void {
  const file = writeTarget(linkOrFile);
  const name = basename(file);
  const draft = new RegExp(
    `^${name.replace(/\./g, '\\.')}\\.(?:\\d+\\.[0-9a-f]{8}\\.tmp|tmp-\\d{10}[0-9a-f]{6})$`,
  );
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const entry of names) {
    if (!draft.test(entry)) continue;
    try {
      unlinkSync(join(dirname(file), entry));
    } catch {
      // Gone already, or not ours to remove: the next write tries again.
    }
  }
}

/**
 * The file a write replaces: the one a symbolic link names (config kept with a person's dotfiles),
 * so that the link stays a link; `file` itself when it is none or does not exist yet.
 */
function writeTarget(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Makes a rename durable. Best effort: some platforms and filesystems cannot fsync a directory. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // EISDIR/EPERM/EINVAL on Windows and some network filesystems: the rename still happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
