/**
 * The names of a backup directory, in one place: `audit-logs-YYYY-MM-DD.<format>` as
 * `backup run` writes it, `status` finds it and `--keep` prunes it (with its `.sha256` and the
 * `.partial` of an interrupted run).
 */

import { DAY_IN_NAME } from '../domain/date-patterns.js';

export const BACKUP_FORMATS = ['json', 'csv', 'ndjson'] as const;
export type BackupFormat = (typeof BACKUP_FORMATS)[number];

const BACKUP_FILE = new RegExp(`^audit-logs-${DAY_IN_NAME}\\.(json|csv|ndjson)$`);
/** A backup, its checksum, what an interrupted run left, or a gzipped export kept beside them. */
const BACKUP_FAMILY = new RegExp(
  `^audit-logs-${DAY_IN_NAME}\\.(?:json|csv|ndjson)(?:\\.gz)?(?:\\.sha256|\\.proof\\.json)?(?:\\.partial)?$`,
);

export function backupFileName(date: string, format: BackupFormat): string {
  return `audit-logs-${date}.${format}`;
}

/** The day and format of a backup file name; undefined for any other name. */
export function parseBackupFileName(name: string): { date: string; format: BackupFormat } | undefined {
  const match = BACKUP_FILE.exec(name);
  return match ? { date: match[1] as string, format: match[2] as BackupFormat } : undefined;
}

/** The day of any file that belongs to a backup (the file, its checksum, a partial); else undefined. */
export function backupDayOf(name: string): string | undefined {
  return BACKUP_FAMILY.exec(name)?.[1];
}

export function checksumPathOf(file: string): string {
  return `${file}.sha256`;
}
