import { afterAll, beforeAll, expect, it } from 'vitest';
import { EngineFeatureUnavailable } from '../../src/store/engine-feature.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// What the PostgreSQL engine does not offer yet (issue 23): each such call fails naming the
// method, never a TypeError on a missing store or a silent success.
describePostgres('the PostgreSQL engine names the stores it does not offer yet', () => {
  let database: TestDatabase;
  let pg: PgEngine;

  beforeAll(async () => {
    database = await migratedDatabase();
    pg = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 2 });
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  it('webhooks, deliveries, review, sealing: EngineFeatureUnavailable naming the method', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['webhooks.list', () => pg.stores.webhooks.list(1)],
      ['deliveries.dueWebhooks', () => pg.stores.deliveries.dueWebhooks(0)],
      ['review.span', () => (pg.stores.review.span as (...args: unknown[]) => Promise<unknown>)(1)],
      ['sealing.behind', () => pg.stores.sealing.behind()],
    ];
    for (const [method, call] of calls) {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, method).toBeInstanceOf(EngineFeatureUnavailable);
      expect((error as Error).message, method).toBe(
        `${method} is not available on PostgreSQL yet: the server does not run on PostgreSQL yet`,
      );
    }
    // Inside a write as outside; the write itself rolls back.
    await expect(pg.write((tx) => tx.webhooks.list(1))).rejects.toBeInstanceOf(EngineFeatureUnavailable);
    // A port is not a thenable: awaiting it does not call anything.
    expect(await Promise.resolve(pg.stores.webhooks)).toBe(pg.stores.webhooks);
  });

  it('reads the server settings the migrations made', async () => {
    expect(await pg.stores.settings.read('legacy_stream_position_limit')).toBe('0');
    expect(await pg.stores.settings.read('no such key')).toBeUndefined();
  });
});
