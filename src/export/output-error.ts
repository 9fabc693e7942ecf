/**
 * A file system failure while writing an output file, said in words with its fix: the
 * directory is missing, the path is a directory, permission is denied, the disk is full. The
 * original error is the `cause`; `problem` says which, so the CLI picks the exit code by it.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { shellQuoteForDisplay } from '../format/shell-quote.js';

export type OutputProblem =
  | 'missing-directory'
  | 'not-a-directory'
  | 'is-a-directory'
  | 'permission'
  | 'read-only'
  | 'no-space'
  | 'io';

export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
  constructor(
    readonly path: string,
    readonly problem: OutputProblem,
    options?: ErrorOptions,
  ) {
    super(`cannot write ${path}: ${explain(path, problem)}`, options);
  }

  /** The user chose a path that cannot work (exit 2); `no-space` and `io` are the machine's (exit 1). */
  get isUsersToFix(): boolean {
    return this.problem !== 'no-space' && this.problem !== 'io';
  }
}

const PROBLEMS: Record<string, OutputProblem> = {
  ENOENT: 'missing-directory',
  ENOTDIR: 'not-a-directory',
  EISDIR: 'is-a-directory',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'read-only',
  ENOSPC: 'no-space',
  EDQUOT: 'no-space',
  EIO: 'io',
  EFBIG: 'io',
};

/** `error` as an OutputFileError about `path` when it is a file system failure; anything else as it is. */
export function asOutputFileError(error: unknown, path: string): unknown {
  if (error instanceof OutputFileError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const problem = code === undefined ? undefined : PROBLEMS[code];
  return problem ? new OutputFileError(path, problem, { cause: error }) : error;
}

function explain(path: string, problem: OutputProblem): string {
  const dir = dirname(path);
  switch (problem) {
    case 'missing-directory':
      return isDirectory(dir)
        ? `${dir} does not accept new files; choose another directory`
        : `the directory ${dir} does not exist; create it (mkdir -p ${shellQuoteForDisplay(dir)}) or choose another path`;
    case 'not-a-directory':
      return `a part of ${dir} is a file, not a directory; choose another path`;
    case 'is-a-directory':
      return 'it is a directory; name a file in it';
    case 'permission':
      return `permission denied in ${dir}; choose a directory you can write to`;
    case 'read-only':
      return `${dir} is on a read-only file system; choose another directory`;
    case 'no-space':
      return 'no space left on the device; free some space and run again';
    default:
      return 'input/output error from the device; check the disk and run again';
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
