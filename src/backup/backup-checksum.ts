/**
 * `.sha256` files in sha256sum's format (`HEX  NAME`), so `sha256sum -c` checks a backup. One
 * rule decides what a valid checksum is, for `backup run` (skip or redo) and `backup status`
 * (report) alike.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { syncDirectory } from '../export/atomic-file.js';
import { assertNotSymlink, openPartial } from '../export/safe-partial.js';
import { checksumPathOf } from './backup-files.js';

export { checksumPathOf };

/** ok: the .sha256 matches; mismatch: it does not; missing: no .sha256; invalid: not one `HEX  NAME` line of two regular files. */
export type ChecksumState = 'ok' | 'mismatch' | 'missing' | 'invalid';

/** One line as `backup run` writes it: lower-case hex, two spaces (or ` *`), the bare file name. */
const LINE = /^([0-9a-f]{64}) [ *](.+)$/;

export function checksumLine(hex: string, file: string): string {
  return `${hex}  ${basename(file)}\n`;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Writes `FILE.sha256` for `file` the way an export is written: partial, fsync, rename (0600). */
export async function writeChecksumFile(file: string, hex: string): Promise<string> {
  const path = checksumPathOf(file);
  const partial = `${path}.partial`;
  await assertNotSymlink(path);
  const { handle } = await openPartial(partial, false);
  try {
    await handle.writeFile(checksumLine(hex, file));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(partial, path);
  await syncDirectory(dirname(path));
  return path;
}

/**
 * Checks `file` against `FILE.sha256`. Both must be regular files: a pair of links planted in
 * the directory must not pass for a backup. The line must name `file` by its bare name, the
 * way `sha256sum -c` run in the backup directory would check this file and no other.
 */
export async function checksumState(file: string): Promise<ChecksumState> {
  const path = checksumPathOf(file);
  const kind = await regularFile(path);
  if (kind === 'missing') return 'missing';
  if (kind !== 'file' || (await regularFile(file)) !== 'file') return 'invalid';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return 'invalid';
  }
  const match = LINE.exec(text.trim());
  if (!match) return 'invalid';
  if (match[2] !== basename(file)) return 'mismatch';
  try {
    return (await sha256OfFile(file)) === match[1] ? 'ok' : 'mismatch';
  } catch {
    return 'invalid';
  }
}

/** True when `backup run` may leave the backup as it is. */
export async function hasValidChecksum(file: string): Promise<boolean> {
  return (await checksumState(file)) === 'ok';
}

async function regularFile(path: string): Promise<'file' | 'other' | 'missing'> {
  try {
    return (await lstat(path)).isFile() ? 'file' : 'other';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'other';
  }
}
