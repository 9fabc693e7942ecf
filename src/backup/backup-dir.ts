/**
 * The backup directory, made (mode 0700) and checked writable before any work starts, so a
 * directory that cannot be used fails at once with one sentence naming it. Made one level at a
 * time: Node's recursive mkdir never returns for a path under /proc, where mkdir answers ENOENT
 * although the parent exists, and the recursive walk retries it forever.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The directory cannot be made or written: the user's to fix (another --dir, a permission). */
export class BackupDirError extends Error {
  override readonly name = 'BackupDirError';
  constructor(
    readonly dir: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`cannot use ${dir} as the backup directory: ${detail}; choose another --dir`, options);
  }
}

/** The words a person needs for the errno codes a directory gives, in place of libuv's. */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'not a directory',
  EEXIST: 'a file, not a directory',
  ENOENT: 'this file system does not allow it',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/** Makes `dir` and every missing parent (mode 0700), then checks it can be written. */
export async function prepareBackupDir(dir: string): Promise<void> {
  let step = 'create';
  let path = dir;
  try {
    const missing = await missingLevels(dir);
    if (typeof missing === 'string') throw new BackupDirError(dir, `${missing} is a file, not a directory`);
    for (path of missing) await makeLevel(path);
    step = 'write to';
    path = dir;
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    const reason = REASONS[code] ?? 'it failed';
    throw new BackupDirError(dir, `cannot ${step} ${path} (${code}: ${reason})`, { cause: error });
  }
}

/** The levels of `dir` that do not exist yet, outermost first; or the path of a file in the way. */
async function missingLevels(dir: string): Promise<string[] | string> {
  const missing: string[] = [];
  for (let path = dir; ; path = dirname(path)) {
    const kind = await stat(path).then(
      (info) => (info.isDirectory() ? 'directory' : 'file'),
      (error: NodeJS.ErrnoException) => {
        // ENOTDIR: a file further up; the walk finds which.
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return 'missing';
        throw error;
      },
    );
    if (kind === 'file') return path;
    if (kind === 'directory' || dirname(path) === path) return missing;
    missing.unshift(path);
  }
}

async function makeLevel(path: string): Promise<void> {
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (error) {
    // Made meanwhile by another run: fine, if it is a directory.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(path)).isDirectory()) throw error;
  }
}
