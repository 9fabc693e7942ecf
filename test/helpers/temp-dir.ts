import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { expect } from 'vitest';

const made: string[] = [];

/**
 * The suite's record of the temp dirs each test file removed (global-setup.ts reads it): a dir
 * found again at the end was made anew after its file ended, and the record names that file.
 */
export const REMOVED_LEDGER = '.removed-temp-dirs';

/**
 * A fresh directory `audit-<prefix>-XXXXXX` under the temp dir. The suite's setup file removes
 * every one of them after the test file that made it, so a test needs no cleanup of its own.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `audit-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes the directories `tempDir` made in this test file. */
export function removeTempDirs(): void {
  const suiteDir = process.env.AUDIT_SUITE_TMPDIR;
  const testPath = expect.getState().testPath;
  const file = testPath ? relative(process.cwd(), testPath) : 'an unknown test file';
  for (const dir of made.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
    if (suiteDir)
      appendFileSync(
        join(suiteDir, REMOVED_LEDGER),
        `${basename(dir)}\t${file}\t${new Date().toISOString()}\n`,
      );
  }
}
