import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SchemaMismatchError } from '../../src/store/migrations.js';
import {
  loadPostgresMigrations,
  migratePostgres,
  postgresSchemaVersion,
} from '../../src/store/pg/migrate.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { describePostgres, emptyDatabase, type TestDatabase } from '../helpers/postgres.js';

const FIXTURES = new URL('../fixtures/pg-migrations/', import.meta.url);

describePostgres('PostgreSQL migrations (src/store/pg/migrate.ts)', () => {
  const databases: TestDatabase[] = [];
  const pools: PgPool[] = [];
  const poolOf = (database: TestDatabase) => {
    const pool = createPgPool(database.url, { max: 2 });
    pools.push(pool);
    return pool;
  };
  const fresh = async () => {
    const database = await emptyDatabase();
    databases.push(database);
    return database;
  };
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.end();
  });
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it('three runners started at once on a fresh database apply each file exactly once, in order', async () => {
    const database = await fresh();
    const migrations = loadPostgresMigrations(FIXTURES);
    const counts = await Promise.all([1, 2, 3].map(() => migratePostgres(poolOf(database), migrations)));
    // One runner took the lock and applied all three; the others waited and found them recorded.
    expect([...counts].sort()).toEqual([0, 0, 3]);
    const pool = poolOf(database);
    const runs = await pool.query('SELECT version FROM runs ORDER BY at');
    expect(runs.rows.map((row) => row.version)).toEqual([1, 2, 3]);
    const ledger = await pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(ledger.rows).toEqual(migrations.map(({ version, name }) => ({ version, name })));
    expect(await migratePostgres(pool, migrations)).toBe(0);
  });

  it("three runners at once apply the project's own migrations once; the schema is complete", async () => {
    const database = await fresh();
    const migrations = loadPostgresMigrations();
    const counts = await Promise.all([1, 2, 3].map(() => migratePostgres(poolOf(database), migrations)));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(migrations.length);
    expect(counts.filter((count) => count > 0)).toHaveLength(1);
    const pool = poolOf(database);
    expect(await postgresSchemaVersion(pool)).toBe(migrations.length);
    const { rows } = await pool.query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(rows.map((row) => row.tablename)).toEqual(
      expect.arrayContaining([
        'events',
        'events_default',
        'event_ids',
        'org_positions',
        'event_counts',
        'merkle_state',
        'webhook_deliveries',
        'rate_windows',
      ]),
    );
  });

  it('runs a file and records it in one transaction: a failing file leaves no trace and is retried', async () => {
    const database = await fresh();
    const pool = poolOf(database);
    const good = loadPostgresMigrations(FIXTURES);
    const broken = good.map((migration) =>
      migration.version === 2
        ? { ...migration, sql: `${migration.sql}\nSELECT no_such_function();` }
        : migration,
    );
    await expect(migratePostgres(pool, broken)).rejects.toThrow(/no_such_function/);
    expect((await pool.query('SELECT version FROM runs')).rows.map((row) => row.version)).toEqual([1]);
    expect(await postgresSchemaVersion(pool)).toBe(1);
    expect(await migratePostgres(pool, good)).toBe(2);
  });

  it('refuses a database whose recorded file changed, or that has a file this code lacks', async () => {
    const database = await fresh();
    const pool = poolOf(database);
    const migrations = loadPostgresMigrations(FIXTURES);
    await migratePostgres(pool, migrations);
    const edited = migrations.map((migration) =>
      migration.version === 1 ? { ...migration, sql: `${migration.sql}\n-- edited` } : migration,
    );
    await expect(migratePostgres(pool, edited)).rejects.toThrow(SchemaMismatchError);
    await expect(migratePostgres(pool, migrations.slice(0, 2))).rejects.toThrow(/does not have/);
    // The lock was given back each time: a further run is not stuck behind it.
    expect(await migratePostgres(pool, migrations)).toBe(0);
  });

  beforeAll(() => {
    expect(loadPostgresMigrations().map((migration) => migration.name)[0]).toBe('0001-initial.sql');
  });
});
