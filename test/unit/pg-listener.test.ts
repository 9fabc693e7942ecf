import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgEventStore } from '../../src/store/pg/events.js';
import {
  createPositionListener,
  createPositionNotifier,
  type Positions,
} from '../../src/store/pg/listener.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { normalizeAll } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// Tail across instances, at the store: instance A ingests and NOTIFYs after commit; instance B,
// on connections of its own, hears each organization's new last position (issue 23, point 4:
// within 100 ms); with no NOTIFY its poll hears it; after its connection is killed it
// reconnects and catches up.

describePostgres('positions heard across instances (LISTEN/NOTIFY with a polling fallback)', () => {
  let database: TestDatabase;
  let poolA: PgPool;
  let admin: PgPool;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await migratedDatabase();
    poolA = createPgPool(database.url, { max: 2 });
    admin = createPgPool(database.url, { max: 1 });
    await admin.query(
      "INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'a', 'a', 0), (2, 'b', 'b', 0)",
    );
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await poolA?.end();
    await admin?.end();
    await database?.drop();
  });

  /** B's listener, and a way to wait until it has heard an organization reach a position. */
  function listenerB(pollMs: number, errors: unknown[] = []) {
    const heard = new Map<number, number>();
    const waiters: { orgId: number; last: number; resolve: () => void }[] = [];
    const listener = createPositionListener(
      database.url,
      (positions: Positions) => {
        for (const [orgId, last] of positions) heard.set(orgId, Math.max(heard.get(orgId) ?? 0, last));
        for (const waiter of waiters.splice(0)) {
          if ((heard.get(waiter.orgId) ?? 0) >= waiter.last) waiter.resolve();
          else waiters.push(waiter);
        }
      },
      { orgIds: () => [1, 2], pollMs, onError: (error) => errors.push(error) },
    );
    closers.push(() => listener.close());
    const reaches = (orgId: number, last: number) =>
      (heard.get(orgId) ?? 0) >= last
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ orgId, last, resolve }));
    return { listener, reaches };
  }

  const ingestOne = async (store: ReturnType<typeof createPgEventStore>, orgId: number, id: string) => {
    const at = Date.now();
    return (await store.ingest(orgId, normalizeAll([{ id, action: 'user.login' }], at), at)).stored[0]
      ?.seq as number;
  };

  it('B hears each commit of A through NOTIFY, well within 100 ms (median of 30)', async () => {
    const notifier = createPositionNotifier(poolA);
    closers.push(() => notifier.close());
    const storeA = createPgEventStore(poolA, { afterCommit: notifier.notify });
    const { listener, reaches } = listenerB(60_000);
    while (listener.backendPid() === undefined) await sleep(5);
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const orgId = 1 + (i % 2);
      const seq = await ingestOne(storeA, orgId, `n${i}`);
      const committed = performance.now();
      await reaches(orgId, seq);
      latencies.push(performance.now() - committed);
      await sleep(3);
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[15] as number;
    expect(median).toBeLessThan(100);
    expect(latencies.at(-1)).toBeLessThan(1000);
  });

  it('sends the positions of 2,000 organizations in several NOTIFYs, each under the 8000-byte limit', async () => {
    const notifier = createPositionNotifier(poolA);
    closers.push(() => notifier.close());
    const { listener, reaches } = listenerB(60_000);
    while (listener.backendPid() === undefined) await sleep(5);
    for (let orgId = 1_000_000; orgId < 1_002_000; orgId++) notifier.notify(orgId, orgId * 10);
    await notifier.close();
    await Promise.all(Array.from({ length: 2000 }, (_, i) => reaches(1_000_000 + i, (1_000_000 + i) * 10)));
  });

  it('a commit told after close sends nothing (a write in flight at shutdown, its pool about to end)', async () => {
    const pool = createPgPool(database.url, { max: 1 });
    const errors: unknown[] = [];
    const notifier = createPositionNotifier(pool, { onError: (error) => errors.push(error) });
    await notifier.close();
    await pool.end();
    notifier.notify(1, 99);
    await sleep(50);
    expect(errors).toEqual([]);
  });

  it('without NOTIFY, B still hears positions by polling', async () => {
    const storeA = createPgEventStore(poolA);
    const { listener, reaches } = listenerB(50);
    while (listener.backendPid() === undefined) await sleep(5);
    const seq = await ingestOne(storeA, 1, 'polled');
    const started = performance.now();
    await reaches(1, seq);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("after B's listening connection is killed, B reconnects and catches up", async () => {
    const notifier = createPositionNotifier(poolA);
    closers.push(() => notifier.close());
    const storeA = createPgEventStore(poolA, { afterCommit: notifier.notify });
    const errors: unknown[] = [];
    const { listener, reaches } = listenerB(60_000, errors);
    while (listener.backendPid() === undefined) await sleep(5);
    const killed = listener.backendPid();
    await admin.query('SELECT pg_terminate_backend($1)', [killed]);
    // Committed while B is not listening: only the catch-up poll at reconnect can tell it.
    const seq = await ingestOne(storeA, 2, 'while-down');
    await reaches(2, seq);
    while (listener.backendPid() === undefined || listener.backendPid() === killed) await sleep(5);
    const next = await ingestOne(storeA, 2, 'after-reconnect');
    await reaches(2, next);
    expect(String(errors[0])).toMatch(/terminating connection/);
  });
});
