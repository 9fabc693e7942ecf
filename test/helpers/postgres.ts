import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { migrationChecksum } from '../../src/store/migrations.js';
import { loadPostgresMigrations, migratePostgres } from '../../src/store/pg/migrate.js';
import { ensureEventPartitions } from '../../src/store/pg/partitions.js';
import { createPgPool } from '../../src/store/pg/pool.js';

/**
 * The PostgreSQL tests' database: the cluster .ci/run starts (.ci/postgres-cluster) is named by
 * AUDIT_TEST_DATABASE_URL; without it those tests skip and say why. Each test file (or test)
 * gets a database of its own, so files running in parallel workers never see each other's rows.
 */
export const postgresUrl: string | undefined = process.env.AUDIT_TEST_DATABASE_URL || undefined;

/** Why the PostgreSQL tests are skipped, when they are. */
export const postgresSkipReason: string =
  process.env.AUDIT_TEST_PG_UNAVAILABLE ||
  'AUDIT_TEST_DATABASE_URL is not set (a throwaway cluster: set -a; eval "$(.ci/postgres-cluster)"; set +a)';

/** A describe block that needs PostgreSQL: skipped without it, with the reason in its name. */
export function describePostgres(name: string, body: () => void): void {
  describe.skipIf(!postgresUrl)(postgresUrl ? name : `${name} (skipped: ${postgresSkipReason})`, body);
}

export interface TestDatabase {
  /** The connection URL of the new database (same role and password as the cluster's). */
  url: string;
  name: string;
  /**
   * Drops it once its connections are gone (the caller closes its own first; one still exiting
   * or an autovacuum worker is waited out). Not WITH (FORCE): the test role may not end an
   * autovacuum worker's session, and a test that leaks a connection should fail here.
   */
  drop: () => Promise<void>;
}

/** A URL of the cluster with another database name. */
export function urlOfDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs `work` on a client of the cluster's own database, under a session advisory lock. */
async function onAdminDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  if (!postgresUrl) throw new Error(postgresSkipReason);
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    // One CREATE DATABASE at a time: a template being copied must have no other session.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['audit-test-databases']);
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database (nothing but what PostgreSQL puts in one). */
export async function emptyDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await onAdminDatabase((client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  return databaseNamed(name);
}

/**
 * A new database with every migration applied and this month's partitions made: a copy of a
 * template migrated once per cluster, day and set of migration files (~0.3 s, not a migration).
 */
export async function migratedDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const template = templateName();
  await onAdminDatabase(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!rowCount) {
      await whileInUse(() => client.query(`DROP DATABASE IF EXISTS ${template}_new`));
      await client.query(`CREATE DATABASE ${template}_new TEMPLATE template0`);
      const pool = createPgPool(urlOfDatabase(postgresUrl as string, `${template}_new`), { max: 1 });
      try {
        await migratePostgres(pool, loadPostgresMigrations(), (locked) =>
          ensureEventPartitions(locked, Date.now()).then(() => {}),
        );
      } finally {
        await pool.end();
      }
      // Renamed only once complete: a run that died half-way leaves no template that looks ready.
      // No connections to it after that (a copy needs its template to have none).
      await whileInUse(() => client.query(`ALTER DATABASE ${template}_new RENAME TO ${template}`));
      await client.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    }
    await whileInUse(() => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  });
  return databaseNamed(name);
}

/**
 * Retries `work` while PostgreSQL answers 55006 (object in use): a backend whose client has
 * closed may take a moment to exit, and a database it was on cannot be renamed or copied before.
 */
async function whileInUse<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: unknown }).code !== '55006' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function templateName(): string {
  const hash = createHash('sha256');
  for (const migration of loadPostgresMigrations()) hash.update(migrationChecksum(migration));
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `audit_tmpl_${day}_${hash.digest('hex').slice(0, 12)}`;
}

function databaseNamed(name: string): TestDatabase {
  return {
    url: urlOfDatabase(postgresUrl as string, name),
    name,
    drop: async () => {
      await onAdminDatabase((client) => whileInUse(() => client.query(`DROP DATABASE IF EXISTS ${name}`)));
    },
  };
}
