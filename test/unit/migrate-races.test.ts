import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { loadMigrations } from '../../src/store/migrations.js';

const DATABASE_MODULE = new URL('../../dist/store/database.js', import.meta.url).href;

/** Opens the file given in argv once the shared start time has come, as the server or an admin command would. */
const OPENER = `
const { openDatabase } = await import(${JSON.stringify(DATABASE_MODULE)});
const [file, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {}
openDatabase(file).close();
`;

function run(script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('migrating', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-migrate-race-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a new database opened by two processes at once (server start and an admin command) is migrated once, neither fails', async () => {
    const script = join(dir, 'open.mjs');
    writeFileSync(script, OPENER);
    for (let round = 0; round < 10; round++) {
      const file = join(dir, `audit-${round}.db`);
      const startAt = String(Date.now() + 400);
      const results = await Promise.all([run(script, [file, startAt]), run(script, [file, startAt])]);
      expect(results).toEqual([
        { code: 0, stderr: '' },
        { code: 0, stderr: '' },
      ]);
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(
          loadMigrations().length,
        );
      } finally {
        db.close();
      }
    }
  }, 60_000);

  const migrationsDir = (names: string[]) => {
    const folder = join(dir, 'migrations');
    rmSync(folder, { recursive: true, force: true });
    for (const name of names) {
      mkdirp(folder);
      writeFileSync(join(folder, name), 'SELECT 1;');
    }
    return pathToFileURL(`${folder}/`);
  };

  it('refuses two migration files with the same number (one would be skipped as applied)', () => {
    expect(() => loadMigrations(migrationsDir(['0001-initial.sql', '0002-a.sql', '0002-b.sql']))).toThrow(
      /0002-a\.sql and 0002-b\.sql have the same number/,
    );
  });

  it('refuses a gap in the migration numbers (a lost file)', () => {
    expect(() => loadMigrations(migrationsDir(['0001-initial.sql', '0003-later.sql']))).toThrow(
      /0003-later\.sql follows 0001-initial\.sql: migration 2 is missing/,
    );
    expect(() => loadMigrations(migrationsDir(['0002-first.sql']))).toThrow(/migration 1 is missing/);
  });

  it('names a development build killed before its first migration instead of listing no versions', () => {
    const file = join(dir, 'audit.db');
    const raw = new Database(file);
    raw.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    raw.close();
    expect(() => openDatabase(file)).toThrow(
      `the database ${file} was left by a development build stopped before its first migration`,
    );
  });
});

function mkdirp(folder: string) {
  mkdirSync(folder, { recursive: true });
}
