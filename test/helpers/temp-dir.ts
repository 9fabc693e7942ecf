import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { expect } from 'vitest';

const made: string[] = [];

/**
 * The suite's record of each temp dir: which test file made it and when, and when it was
 * removed (global-setup.ts reads it). A dir found at the end names the file to look at.
 */
export const TEMP_DIR_LEDGER = '.temp-dir-ledger';

/**
 * A fresh directory `audit-<prefix>-XXXXXX` under the temp dir. The suite's setup file removes
 * every one of them after the test file that made it, so a test needs no cleanup of its own.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `audit-${prefix}-`));
  made.push(dir);
  record('made', dir);
  return dir;
}

/** Removes the directories `tempDir` made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
    record('removed', dir);
  }
}

function record(what: 'made' | 'removed', dir: string): void {
  const suiteDir = process.env.AUDIT_SUITE_TMPDIR;
  if (!suiteDir) return;
  const testPath = expect.getState().testPath;
  const file = testPath ? relative(process.cwd(), testPath) : 'an unknown test file';
  const line = [basename(dir), what, file, new Date().toISOString()].join('\t');
  appendFileSync(join(suiteDir, TEMP_DIR_LEDGER), `${line}\n`);
}
