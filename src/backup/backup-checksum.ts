/** `.sha256` files in sha256sum's format (`HEX  NAME`), so `sha256sum -c` checks a backup. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { syncDirectory } from '../export/atomic-file.js';
import { assertNotSymlink, openPartial } from '../export/safe-partial.js';

const LINE = /^([0-9a-f]{64}) [ *](.+)$/;

export function checksumPathOf(file: string): string {
  return `${file}.sha256`;
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
    await handle.writeFile(`${hex}  ${basename(file)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(partial, path);
  await syncDirectory(dirname(path));
  return path;
}

/**
 * True when `FILE.sha256` exists, names `file` and matches its content, both regular files: a
 * pair of links planted in the directory must not pass for a backup.
 */
export async function hasValidChecksum(file: string): Promise<boolean> {
  let text: string;
  try {
    if (!(await isRegularFile(file)) || !(await isRegularFile(checksumPathOf(file)))) return false;
    text = await readFile(checksumPathOf(file), 'utf8');
  } catch {
    return false;
  }
  const match = LINE.exec(text.trim());
  if (!match || match[2] !== basename(file)) return false;
  try {
    return (await sha256OfFile(file)) === match[1];
  } catch {
    return false;
  }
}

async function isRegularFile(path: string): Promise<boolean> {
  return (await lstat(path)).isFile();
}
