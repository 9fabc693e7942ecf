/**
 * One writer of the config file at a time, across processes: `FILE.lock`, created with O_EXCL
 * (mode 0600) and holding its owner's pid, is held while the file is read, changed and written
 * back, so a `login` and a `profile use` started together both land, neither losing the other's
 * change. A lock whose process is gone (a crash, a kill -9) is taken over; one held longer than
 * the wait gives a one-line error naming the lock file.
 */

import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isOtherLiveHolder } from '../domain/process-alive.js';
import { cannotSaveProfiles, SettingsError } from './settings-error.js';

const WAIT_MS = 10_000;
const POLL_MS = 15;
// A lock with no pid yet is being written this instant; after this long it is debris.
const UNREADABLE_GRACE_MS = 5_000;

export function withFileLock<T>(file: string, work: () => T): T {
  const lock = `${file}.lock`;
  acquire(lock);
  try {
    return work();
  } finally {
    if (lockOwner(lock) === process.pid) unlinkSync(lock);
  }
}

function acquire(lock: string): void {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(lock, error);
    }
    const owner = lockOwner(lock);
    // Our own pid there was left by a killed run that had it (a container's pid 1).
    const held = owner === undefined ? isRecent(lock) : isOtherLiveHolder(owner);
    if (!held) {
      removeStale(lock);
      continue;
    }
    if (Date.now() > deadline) {
      throw new SettingsError(
        `another audit process (pid ${owner ?? 'unknown'}) is changing the profiles; if none is, remove ${lock}`,
      );
    }
    sleep(POLL_MS);
  }
}

function lockOwner(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lock, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRecent(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs < UNREADABLE_GRACE_MS;
  } catch {
    return false;
  }
}

function removeStale(lock: string): void {
  try {
    unlinkSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw lockError(lock, error);
  }
}

/** The lock lives beside the config file: failing to make it is failing to save there. */
function lockError(lock: string, error: unknown): SettingsError {
  return cannotSaveProfiles(dirname(lock), error);
}

/** Blocks this thread for `ms` (the profile commands are short and have nothing else to do). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
