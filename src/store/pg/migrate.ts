import { PACKAGE_ROOT } from '../../domain/package-root.js';
import {
  assertUnchanged,
  type LedgerRow,
  loadMigrations,
  type Migration,
  migrationChecksum,
} from '../migrations.js';
import { commit, type PgPool, type Queryable } from './pool.js';

/**
 * PostgreSQL's migrations: numbered SQL files in migrations/postgres/, with the same rules and
 * ledger as SQLite's (src/store/migrations.ts): applied once, in order, each in a transaction of
 * its own, recorded with the file's SHA-256; a recorded file that changed or that this code does
 * not have is refused.
 */
export const POSTGRES_MIGRATIONS_DIR = new URL('migrations/postgres/', PACKAGE_ROOT);

export function loadPostgresMigrations(dir: URL = POSTGRES_MIGRATIONS_DIR): Migration[] {
  return loadMigrations(dir);
}

/** The session advisory lock every runner takes first (an arbitrary constant of this project). */
export const MIGRATION_LOCK_KEY = 7_302_312_023;

/**
 * Brings the database to the newest schema and returns how many migrations this call applied.
 * Several instances starting at once each call it: the whole run holds a session advisory lock,
 * so one applies the files while the others wait, then find them recorded and apply none.
 * `whileLocked` runs last under the same lock (e.g. the bootstrap of first keys and partitions).
 */
export async function migratePostgres(
  pool: PgPool,
  migrations: readonly Migration[] = loadPostgresMigrations(),
  whileLocked?: (client: Queryable) => Promise<void>,
): Promise<number> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL, sha256 text NOT NULL)`);
      const { rows } = await client.query<LedgerRow>(
        'SELECT version, name, sha256 FROM schema_migrations ORDER BY version',
      );
      const recorded = new Map(rows.map((row) => [row.version, row]));
      for (const row of rows) assertUnchanged('the PostgreSQL database', row, ordered);
      let count = 0;
      for (const migration of ordered) {
        if (recorded.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at, sha256) VALUES ($1, $2, $3, $4)',
            [migration.version, migration.name, Date.now(), migrationChecksum(migration)],
          );
          await commit(client);
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw error;
        }
        count++;
      }
      if (whileLocked) await whileLocked(client);
      return count;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        broken = true;
      });
    }
  } finally {
    // A session lock dies with its connection: a client that could not unlock is not reused.
    client.release(broken);
  }
}

/** The newest migration recorded, 0 for none. */
export async function postgresSchemaVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    'SELECT coalesce(max(version), 0) AS version FROM schema_migrations',
  );
  return rows[0]?.version ?? 0;
}
