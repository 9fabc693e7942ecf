import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { textLines } from '../format/text-lines.js';
import { type ChecksumState, checksumState } from './backup-checksum.js';
import { type BackupFormat, parseBackupFileName } from './backup-files.js';

export type { ChecksumState };

export interface BackupInfo {
  file: string;
  path: string;
  /** The day the backup holds, from its name. */
  date: string;
  format: BackupFormat;
  size: number;
  modified: Date;
  events: number;
  checksum: ChecksumState;
}

/** The newest backup in `dir` by the date in its name (the latest written breaks a tie); undefined when none. */
export async function findLastBackup(
  dir: string,
): Promise<Pick<BackupInfo, 'file' | 'path' | 'date' | 'format' | 'size' | 'modified'> | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const candidates = await Promise.all(
    names.flatMap((file) => {
      const name = parseBackupFileName(file);
      if (!name) return [];
      const path = join(dir, file);
      // A link is not a backup `backup run` wrote (nor one it would accept).
      return [
        lstat(path).then((stats) =>
          stats.isFile()
            ? {
                file,
                path,
                date: name.date,
                format: name.format,
                size: stats.size,
                modified: stats.mtime,
              }
            : undefined,
        ),
      ];
    }),
  );
  const found = candidates.filter((candidate) => candidate !== undefined);
  found.sort((a, b) => b.date.localeCompare(a.date) || b.modified.getTime() - a.modified.getTime());
  return found[0];
}

/** The last backup in `dir` with its event count and checksum state. */
export async function describeLastBackup(dir: string): Promise<BackupInfo | undefined> {
  const last = await findLastBackup(dir);
  if (!last) return undefined;
  const [events, checksum] = await Promise.all([
    countEvents(last.path, last.format),
    checksumState(last.path),
  ]);
  return { ...last, events, checksum };
}

/**
 * Events in a backup, streamed so that size does not matter. Our JSON has one event per line
 * between `[` and `]`, NDJSON one per line; CSV is parsed, because a description or name may hold
 * a newline (csv-stringify quotes it), and the header is not an event.
 */
export async function countEvents(path: string, format: BackupFormat): Promise<number> {
  if (format === 'csv') {
    const { parse } = await import('csv-parse');
    let records = 0;
    for await (const _record of createReadStream(path).pipe(parse({ bom: true, relax_column_count: true })))
      records += 1;
    return Math.max(0, records - 1);
  }
  let events = 0;
  for await (const line of textLines(createReadStream(path, { encoding: 'utf8' }))) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (format === 'json' && (trimmed === '[' || trimmed === ']' || trimmed === '[]')) continue;
    events += 1;
  }
  return events;
}
