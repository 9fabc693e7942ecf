import type { Queryable } from './pool.js';

/**
 * The settings under which a COMMIT that PostgreSQL acknowledged survives a crash of the
 * database server: what the SPEC promises of an acknowledged event, and what openDatabase
 * checks of SQLite (WAL, synchronous=FULL). `synchronous_commit = off` may lose the last
 * commits of a crash; `fsync` or `full_page_writes` off may corrupt the cluster.
 */
const REQUIRED: readonly [setting: string, allowed: readonly string[]][] = [
  ['fsync', ['on']],
  ['full_page_writes', ['on']],
  ['synchronous_commit', ['on', 'remote_write', 'remote_apply', 'local']],
];

export class PostgresNotDurableError extends Error {
  override readonly name = 'PostgresNotDurableError';
}

/**
 * Refuses a server that would acknowledge events a crash could lose. `allowUnsafe`: the throwaway
 * test cluster (.ci/postgres-cluster runs without fsync), never a deployment.
 */
export async function assertDurablePostgres(db: Queryable, allowUnsafe = false): Promise<void> {
  const { rows } = await db.query<{ name: string; setting: string }>(
    'SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])',
    [REQUIRED.map(([name]) => name)],
  );
  const settings = new Map(rows.map((row) => [row.name, row.setting]));
  const unsafe = REQUIRED.filter(([name, allowed]) => !allowed.includes(settings.get(name) ?? '')).map(
    ([name]) => `${name}=${settings.get(name) ?? 'unknown'}`,
  );
  if (unsafe.length > 0 && !allowUnsafe) {
    throw new PostgresNotDurableError(
      `the PostgreSQL server could lose acknowledged events in a crash (${unsafe.join(', ')})`,
    );
  }
}
