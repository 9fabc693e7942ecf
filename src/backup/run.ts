/**
 * `audit backup run`: one day of the log to `DIR/audit-logs-YYYY-MM-DD.<format>` plus its
 * `.sha256`, under a lock, skipped when a valid backup of that day is already there.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditClient } from '../client/client.js';
import { addDays, startOfZonedDay } from '../domain/zoned-time.js';
import { partialPathOf } from '../export/atomic-file.js';
import { exportRange } from '../export/export-range.js';
import type { ExportResult } from '../export/types.js';
import { checksumPathOf, hasValidChecksum, sha256OfFile, writeChecksumFile } from './backup-checksum.js';
import { prepareBackupDir } from './backup-dir.js';
import { type BackupFormat, backupFileName } from './backup-files.js';
import { acquireBackupLock } from './backup-lock.js';
import { pruneBackups } from './backup-prune.js';

export interface BackupRequest {
  client: AuditClient;
  dir: string;
  /** The day to back up, YYYY-MM-DD in `zone`. */
  date: string;
  format: BackupFormat;
  zone: string;
  /** Remove backups dated more than this many days before `date`. */
  keep?: number | undefined;
  signal?: AbortSignal;
  now?: () => number;
}

export interface BackupResult {
  /** `unchanged`: a backup with a valid checksum was already there. */
  status: 'written' | 'unchanged' | 'interrupted';
  file: string;
  checksumFile: string;
  /** Events written (not set when unchanged). */
  count?: number;
  /** Names of pruned files (`--keep`). */
  removed: string[];
  interrupted?: ExportResult['interrupted'];
}

export async function runBackup(request: BackupRequest): Promise<BackupResult> {
  const { dir, date, format, zone, client } = request;
  await prepareBackupDir(dir);
  const lock = await acquireBackupLock(dir);
  try {
    const file = join(dir, backupFileName(date, format));
    const checksumFile = checksumPathOf(file);
    const prune = async () =>
      request.keep === undefined ? [] : pruneBackups(dir, addDays(date, -request.keep));
    if (await hasValidChecksum(file)) {
      return { status: 'unchanged', file, checksumFile, removed: await prune() };
    }

    const from = new Date(startOfZonedDay(date, zone)).toISOString();
    const to = new Date(startOfZonedDay(addDays(date, 1), zone) - 1).toISOString();
    // A backup is the whole day: detailed access events included.
    const result = await exportRange({
      client,
      params: { from, to, detailed: true },
      format,
      output: file,
      gzip: false,
      zone,
      signal: request.signal,
      now: request.now,
    });
    if (result.interrupted) {
      // A backup is redone whole by the next run, never resumed.
      await unlink(partialPathOf(file)).catch(() => undefined);
      return { status: 'interrupted', file, checksumFile, removed: [], interrupted: result.interrupted };
    }
    try {
      // Recorded before the checksum marks the backup complete: a run whose record failed is redone.
      await client.recordExport({
        kind: 'backup',
        format,
        count: result.count,
        files: 1,
        filters: { date, from, to, detailed: 'true' },
      });
      await writeChecksumFile(file, await sha256OfFile(file));
    } catch (error) {
      // Stopped or failed before the checksum: no file is left that looks like a backup.
      await unlink(file).catch(() => undefined);
      throw error;
    }
    return { status: 'written', file, checksumFile, count: result.count, removed: await prune() };
  } finally {
    await lock.release();
  }
}
