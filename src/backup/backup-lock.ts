/**
 * One backup at a time per directory: a lock file created with O_EXCL holds the owner's pid.
 * A lock whose process is gone (a crash, a kill -9) is stale and taken over.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isOtherLiveHolder } from '../domain/process-alive.js';

export const LOCK_NAME = '.audit-backup.lock';
const UNREADABLE_LOCK_GRACE_MS = 60_000;

export class BackupLockedError extends Error {
  override readonly name = 'BackupLockedError';
  constructor(
    readonly lockFile: string,
    readonly pid: number | undefined,
  ) {
    super(
      `another backup is running in this directory (pid ${pid ?? 'unknown'}); ` +
        `if it is not, remove ${lockFile}`,
    );
  }
}

export interface BackupLock {
  readonly path: string;
  release(): Promise<void>;
}

export async function acquireBackupLock(dir: string, pid: number = process.pid): Promise<BackupLock> {
  const path = join(dir, LOCK_NAME);
  // Two tries: the second after removing a stale lock (if another run took it over meanwhile, it wins).
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${pid}\n`);
      } finally {
        await handle.close();
      }
      return { path, release: () => releaseLock(path, pid) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await lockOwner(path);
    // A lock without a pid may be one being written this instant; after a minute it is debris.
    // One with our own pid was left by a killed run that had it (a container's pid 1).
    const held = owner === undefined ? await isRecent(path) : isOtherLiveHolder(owner, pid);
    if (held) throw new BackupLockedError(path, owner);
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  throw new BackupLockedError(path, await lockOwner(path));
}

async function lockOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function isRecent(path: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs < UNREADABLE_LOCK_GRACE_MS;
  } catch {
    return false;
  }
}

async function releaseLock(path: string, pid: number): Promise<void> {
  // Only our own lock: a run that took over a lock it thought stale must not lose it to us.
  if ((await lockOwner(path)) !== pid) return;
  await unlink(path).catch(() => undefined);
}
