import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireBackupLock, LOCK_NAME } from '../../src/backup/backup-lock.js';
import { withFileLock } from '../../src/config/file-lock.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * In a container the CLI is pid 1 on every run (the printed Kubernetes CronJob, `docker run`):
 * a run killed with SIGKILL (OOM, eviction) leaves a lock holding "1", and the next run, pid 1
 * again, must not take its own pid for a live holder, or the lock stays forever.
 */
describe('a lock left with this process id by a killed run is taken over', () => {
  it('the backup lock: a backup killed as pid 1 does not block every later backup in the directory', async () => {
    const dir = tempDir('own-pid-backup');
    writeFileSync(join(dir, LOCK_NAME), `${process.pid}\n`, { mode: 0o600 });
    const lock = await acquireBackupLock(dir);
    expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('the config lock: a login killed as pid 1 does not make every later profile change wait and fail', () => {
    const file = join(tempDir('own-pid-config'), 'config.json');
    writeFileSync(`${file}.lock`, `${process.pid}\n`, { mode: 0o600 });
    const started = Date.now();
    expect(withFileLock(file, () => 'changed')).toBe('changed');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
