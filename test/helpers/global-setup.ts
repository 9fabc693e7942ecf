import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TEMP_DIR_LEDGER } from './temp-dir.js';

/**
 * The suite gets a temp dir of its own (TMPDIR for the test workers and every process they
 * spawn); after the run it must be empty, so a test that leaves a file or directory behind
 * fails the run instead of filling the machine's /tmp.
 */
export default function setup(): () => void {
  // Each vitest project (SQLite, PostgreSQL: test/vitest.config.ts) runs this; the first makes
  // the suite's dir, the others share it.
  if (process.env.AUDIT_SUITE_TMPDIR) return () => {};
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'audit-suite-'));
  process.env.TMPDIR = root;
  process.env.AUDIT_SUITE_TMPDIR = root;
  return () => {
    delete process.env.AUDIT_SUITE_TMPDIR;
    // Not a test's leak: SQLite's own temp files (etilqs_*) outlive a server the durability tests
    // kill on purpose (SQLite deletes them on close, which a SIGKILL skips), and on Node 22+ the
    // module compile cache that vitest turns on lives in the temp dir (node-compile-cache).
    const left = readdirSync(root).filter(
      (name) => !name.startsWith('etilqs_') && name !== 'node-compile-cache' && name !== TEMP_DIR_LEDGER,
    );
    const report = left.length === 0 ? '' : describeLeftovers(root, left.slice(0, 10));
    rmSync(root, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (left.length === 0) return;
    // An error thrown here is printed but does not fail the run: the exit code does.
    process.exitCode = 1;
    throw new Error(`the tests left ${left.length} entries in the temp dir:\n${report}`);
  };
}

/**
 * Each leftover with the test file that made it and whether that file's end removed it, and a few
 * of the paths inside it with their mtimes: a path written after the removal names the process
 * that outlived its file; a dir never removed is a file whose afterAll did not run (a file whose
 * every test is skipped runs no hooks).
 */
function describeLeftovers(root: string, names: string[]): string {
  const history = new Map<string, string[]>();
  try {
    for (const line of readFileSync(join(root, TEMP_DIR_LEDGER), 'utf8').split('\n')) {
      const [name, what, file, at] = line.split('\t');
      if (name && what && file && at)
        history.set(name, [...(history.get(name) ?? []), `${what} by ${file} at ${at}`]);
    }
  } catch {}
  return names
    .map((name) => {
      const path = join(root, name);
      const inside = pathsUnder(path)
        .slice(0, 8)
        .map((entry) => `    ${relative(path, entry) || '.'} (mtime ${mtimeOf(entry)})`);
      const told = history.get(name) ?? ['not made by tempDir()'];
      if (!told.some((event) => event.startsWith('removed'))) told.push('never removed');
      return [`  ${name}: ${told.join('; ')}`, ...inside].join('\n');
    })
    .join('\n');
}

function pathsUnder(path: string): string[] {
  try {
    if (!lstatSync(path).isDirectory()) return [path];
    return [path, ...readdirSync(path).flatMap((name) => pathsUnder(join(path, name)))];
  } catch {
    return [path];
  }
}

function mtimeOf(path: string): string {
  try {
    return lstatSync(path).mtime.toISOString();
  } catch {
    return 'gone';
  }
}
