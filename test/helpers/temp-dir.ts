import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

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
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
