/** `backup run --keep N`: removes backups (and their checksums) older than the kept window. */
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { backupDayOf } from './backup-files.js';

/** Removes every backup file in `dir` whose day is before `oldestKept` (YYYY-MM-DD); returns their names. */
export async function pruneBackups(dir: string, oldestKept: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const day = backupDayOf(name);
    // ISO days compare as strings.
    if (day === undefined || day >= oldestKept) continue;
    try {
      await unlink(join(dir, name));
      removed.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed.sort();
}
