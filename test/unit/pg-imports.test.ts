import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The PostgreSQL driver is loaded only when a server or admin command is given a PostgreSQL URL:
// `pg` and `pg-cursor` are imported by src/store/pg/ alone, and the rest of src/ reaches that
// folder through a dynamic import() only, so the CLI and a SQLite server never load them.

const SRC = resolve(import.meta.dirname, '../../src');
const PG_DIR = join(SRC, 'store', 'pg');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Static imports and re-exports that are not type-only (erased by the build). */
function valueImports(text: string): string[] {
  const statement = /^(?:import|export)\s+(type\s+)?(?:[^'";]*?\bfrom\s*)?['"]([^'"]+)['"]/gms;
  return [...text.matchAll(statement)].filter((match) => !match[1]).map((match) => match[2] as string);
}

const DRIVER = /^pg(-cursor)?(\/.*)?$/;

describe('where the PostgreSQL driver is imported', () => {
  const files = sourceFiles(SRC);

  it('pg and pg-cursor only from src/store/pg/', () => {
    const outside = files
      .filter((file) => !file.startsWith(`${PG_DIR}/`))
      .filter((file) => valueImports(readFileSync(file, 'utf8')).some((specifier) => DRIVER.test(specifier)))
      .map((file) => relative(SRC, file));
    expect(outside).toEqual([]);
  });

  it('no module outside src/store/pg/ statically imports one inside it', () => {
    const outside = files
      .filter((file) => !file.startsWith(`${PG_DIR}/`))
      .filter((file) =>
        valueImports(readFileSync(file, 'utf8')).some(
          (specifier) => specifier.startsWith('.') && resolve(file, '..', specifier).startsWith(`${PG_DIR}/`),
        ),
      )
      .map((file) => relative(SRC, file));
    expect(outside).toEqual([]);
  });

  it('the scan sees value imports and skips type-only ones', () => {
    const text = [
      "import pg from 'pg';",
      "import type { PoolClient } from 'pg';",
      "import Cursor from 'pg-cursor';",
      "export { x } from './pg/events.js';",
    ].join('\n');
    expect(valueImports(text)).toEqual(['pg', 'pg-cursor', './pg/events.js']);
  });
});
