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
import { writeExportProofs } from '../export/proof/export-proofs.js';
import { ProofUnavailableError, pinCoveringCheckpoint } from '../export/proof/pin-checkpoint.js';
import { proofPathOf } from '../export/proof/write-proof.js';
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
  /** How long to wait for a checkpoint that covers the log (default 90 s). */
  checkpointWaitMs?: number;
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
  /** The proof written beside the file (`FILE.proof.json`). */
  proof?: string;
  /** Why no proof was written (a server without a tree, no checkpoint in time); the backup is whole all the same. */
  proofSkipped?: string;
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
    // A backup is the whole day: detailed access events included. It is pinned to a checkpoint
    // that covers every event received so far, so its proof covers the whole file.
    const params = { from, to, detailed: true };
    const pinned = await pinCoveringCheckpoint(client, {
      params,
      signal: request.signal,
      ...(request.checkpointWaitMs === undefined ? {} : { timeoutMs: request.checkpointWaitMs }),
    }).catch((error: unknown) => {
      if (error instanceof ProofUnavailableError) return error;
      throw error;
    });
    const tree = pinned instanceof ProofUnavailableError ? undefined : pinned;
    const result = await exportRange({
      client,
      ...(tree ? { treeSize: tree.size } : {}),
      params,
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
    let proof: string | undefined;
    try {
      // Recorded before the checksum marks the backup complete: a run whose record failed is redone.
      await client.recordExport({
        kind: 'backup',
        format,
        count: result.count,
        files: 1,
        filters: { date, from, to, detailed: 'true' },
      });
      if (tree) {
        [proof] = await writeExportProofs({
          client,
          params,
          content: format,
          tree,
          files: [file],
          zone,
          signal: request.signal,
        });
      }
      await writeChecksumFile(file, await sha256OfFile(file));
    } catch (error) {
      // Stopped or failed before the checksum: no file is left that looks like a backup.
      await unlink(file).catch(() => undefined);
      await unlink(proofPathOf(file)).catch(() => undefined);
      throw error;
    }
    const skipped =
      pinned instanceof ProofUnavailableError
        ? `proof skipped: ${pinned.message}`
        : tree
          ? undefined
          : 'proof skipped: no checkpoint covering the log was signed in time';
    return {
      status: 'written',
      file,
      checksumFile,
      count: result.count,
      removed: await prune(),
      ...(proof ? { proof } : {}),
      ...(skipped ? { proofSkipped: skipped } : {}),
    };
  } finally {
    await lock.release();
  }
}
