import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../domain/package-root.js';
import type { Db } from './database.js';

/**
 * The schema's migrations: one immutable file each, `migrations/NNNN-what.sql` in the package,
 * applied once, in order, each in its own transaction, and recorded in `schema_migrations` with
 * the file's SHA-256. Never edit a file that has shipped: add the next number.
 */
export interface Migration {
  version: number;
  /** The file name, which the ledger records and errors name. */
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = new URL('migrations/', PACKAGE_ROOT);

const FILE_NAME = /^(\d{4})-[a-z0-9-]+\.sql$/;

/** Refused at open: the database's schema is not one this code knows how to run. */
export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
  readonly code = 'ERR_SCHEMA_MISMATCH';
}

/**
 * The migration files, in order. Refuses two files of one number (the ledger would count the
 * second as applied) and a gap in the numbers (a lost file): the code, not the database, is wrong.
 */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((name) => FILE_NAME.test(name))
    .sort()
    .map((name) => ({
      version: Number(FILE_NAME.exec(name)?.[1]),
      name,
      sql: readFileSync(new URL(name, dir), 'utf8'),
    }));
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous?.version === migration.version)
      throw new Error(`the migrations ${previous.name} and ${migration.name} have the same number`);
    const expected = (previous?.version ?? 0) + 1;
    if (migration.version !== expected) {
      const after = previous ? ` follows ${previous.name}` : ' is the first';
      throw new Error(`the migration ${migration.name}${after}: migration ${expected} is missing`);
    }
  });
  return migrations;
}

export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql, 'utf8').digest('hex');
}

/** The ledger of applied migrations: which file, when, and the SHA-256 of what was run. */
export function createLedger(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL, sha256 TEXT NOT NULL)`);
}

/** A row of `schema_migrations`: which file was applied, and the SHA-256 of what was run. */
export interface LedgerRow {
  version: number;
  name: string;
  sha256: string;
}

/**
 * Refuses a recorded migration this code does not have (a newer version made it) or whose file
 * is not the one that ran (an edited file or database). `database` names it in the message.
 */
export function assertUnchanged(database: string, row: LedgerRow, migrations: readonly Migration[]): void {
  const migration = migrations.find((candidate) => candidate.version === row.version);
  if (!migration) {
    throw new SchemaMismatchError(
      `${database} has migration ${row.name}, which this version does not have (a newer one made it)`,
    );
  }
  const checksum = migrationChecksum(migration);
  if (checksum !== row.sha256) {
    throw new SchemaMismatchError(
      `migration ${migration.name} is not the one applied to ${database} (SHA-256 ${checksum.slice(0, 12)}…, recorded ${String(row.sha256).slice(0, 12)}…)`,
    );
  }
}
