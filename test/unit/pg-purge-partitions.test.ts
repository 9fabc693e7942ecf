import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { leavesOf } from '../../src/store/event-leaves.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// Issue 23, point 5: events are partitioned by month, so the retention purge of a whole month
// that holds one organization's events alone is a DROP of its partition. What the rows'
// triggers would have done (ids, hourly counts, Merkle salts) is done by the purge itself, and a
// month shared with another organization is purged row by row, the other's events kept.

const at = (month: number, day: number) => new Date(Date.UTC(2026, month - 1, day, 12)).toISOString();
const inputs = (prefix: string, timestamps: string[]): EventInput[] =>
  timestamps.map((timestamp, i) => ({
    id: `log_${prefix}-${i}`,
    action: 'user.login',
    actor: { id: 'u-1', email: 'ana@example.com' },
    timestamp,
  }));

describePostgres('the retention purge on PostgreSQL: whole months by partition DROP', () => {
  let database: TestDatabase;
  let pg: PgEngine;

  beforeAll(async () => {
    database = await migratedDatabase();
    pg = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 3 });
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  const partitionExists = async (name: string) =>
    (await pg.pool.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [name])).rows[0]
      ?.found;

  it('drops a month only one organization has, purges a shared month row by row, and leaves no trace of the dropped rows behind', async () => {
    const a = (await pg.stores.directory.ensureOrganization('alone')).organization.id;
    const b = (await pg.stores.directory.ensureOrganization('sharing')).organization.id;
    await pg.stores.recorder.record(a, inputs('march', [at(3, 2), at(3, 15), at(3, 30)]));
    await pg.stores.recorder.record(a, inputs('april', [at(4, 5), at(4, 6)]));
    await pg.stores.recorder.record(b, inputs('april-b', [at(4, 7)]));
    await pg.stores.recorder.record(a, inputs('june', [at(6, 1)]));
    // Sealed first: the purge must take the salts of what it drops, and keep the leaves.
    await pg.write(async (tx) => tx.merkle.append(leavesOf(await tx.sealing.unsealed(100))));
    await pg.write(async (tx) => tx.merkle.append(leavesOf(await tx.sealing.unsealed(100))));
    expect(await partitionExists('events_2026_03')).toBe(true);

    const purged = await pg.write((tx) => tx.events.purgeBefore(a, Date.UTC(2026, 4, 1)));
    expect(purged).toBe(5);

    expect(await partitionExists('events_2026_03')).toBe(false);
    expect(await partitionExists('events_2026_04')).toBe(true);
    const left = await pg.pool.query<{ org_id: number; id: string }>(
      'SELECT org_id, id FROM events ORDER BY seq, org_id',
    );
    expect(left.rows.map((row) => [row.org_id, row.id])).toEqual([
      [b, 'log_april-b-0'],
      [a, 'log_june-0'],
    ]);
    const counts = await pg.pool.query<{ events: number }>(
      'SELECT sum(events)::bigint AS events FROM event_counts WHERE org_id = $1',
      [a],
    );
    expect(counts.rows[0]?.events).toBe(1);
    const leaves = await pg.pool.query<{ event_seq: number; salted: boolean }>(
      'SELECT event_seq, salt IS NOT NULL AS salted FROM merkle_leaves WHERE org_id = $1 ORDER BY position',
      [a],
    );
    // Every leaf stays (proofs keep working); only the June event keeps its salt.
    expect(leaves.rows.map((row) => row.salted)).toEqual([false, false, false, false, false, true]);

    // A purged id may be sent again, as on SQLite: the dropped month's ids are gone too.
    const again = await pg.stores.recorder.record(a, inputs('march', [at(3, 2)]));
    expect(again.created).toBe(1);
  });
});
