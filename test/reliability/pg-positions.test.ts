import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { createPgEventStore, type PgEventStore } from '../../src/store/pg/events.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { normalizeAll, prng } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// Issue 23, point 3, at the store: positions followers can trust with several writers. Writers
// on connections of their own (as instances are) ingest into one organization at once, each
// commit held back a random 0–15 ms by the store's test hook while it holds its positions; two
// followers on other connections poll `seq > last`. Each must see every acknowledged event once,
// in the same order, positions 1, 2, 3 … without a gap at any moment, in every round.

const ROUNDS = 20;
const WRITERS = 4;
const BATCHES_PER_WRITER = 12;
const MAX_COMMIT_DELAY_MS = 15;

describePostgres('gap-free, commit-ordered positions per organization on PostgreSQL', () => {
  let database: TestDatabase;
  const pools: PgPool[] = [];
  const pool = () => {
    const made = createPgPool(database.url, { max: 1 });
    pools.push(made);
    return made;
  };

  beforeAll(async () => {
    database = await migratedDatabase();
    const admin = pool();
    for (let round = 1; round <= ROUNDS; round++) {
      await admin.query('INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, $2, $2, 0)', [
        round,
        `org-${round}`,
      ]);
    }
  });
  afterAll(async () => {
    for (const made of pools) await made.end();
    await database?.drop();
  });

  /** Polls readFrom until told to stop and caught up; fails at once on a gap or a repeat. */
  async function follow(
    store: PgEventStore,
    orgId: number,
    done: () => number | undefined,
    random: () => number,
  ) {
    const seen: string[] = [];
    let last = 0;
    for (;;) {
      const end = done();
      const page = await store.readFrom(orgId, last, 1 + Math.floor(random() * 20));
      for (const stored of page) {
        if (stored.seq !== last + 1)
          throw new Error(`org ${orgId}: position ${stored.seq} came after ${last}`);
        last = stored.seq;
        seen.push(stored.event.id);
      }
      if (page.length === 0) {
        if (end !== undefined && last >= end) return seen;
        await sleep(random() * 3);
      }
    }
  }

  it(`${ROUNDS} rounds: ${WRITERS} writers × ${BATCHES_PER_WRITER} batches with commits delayed 0–${MAX_COMMIT_DELAY_MS} ms, two followers each see every event once, in one order, no gap`, async () => {
    let totalEvents = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const random = prng(round);
      const writers = Array.from({ length: WRITERS }, () =>
        createPgEventStore(pool(), {
          beforeCommit: () => sleep(random() * MAX_COMMIT_DELAY_MS),
        }),
      );
      const followers = [createPgEventStore(pool()), createPgEventStore(pool())];
      let end: number | undefined;
      const watching = followers.map((store) =>
        follow(store, round, () => end, prng(round * 100 + followers.indexOf(store))),
      );
      const acknowledged: string[] = [];
      let sentBefore: EventInput[] = [];
      await Promise.all(
        writers.map(async (writer, w) => {
          for (let b = 0; b < BATCHES_PER_WRITER; b++) {
            await sleep(random() * 5);
            const inputs: EventInput[] = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => ({
              id: `r${round}-w${w}-b${b}-${i}`,
              action: 'user.login',
            }));
            // Now and then a resend of an id another writer already stored: it takes no position.
            const resend = random() < 0.2 ? sentBefore.slice(-1) : [];
            sentBefore = [...sentBefore, ...inputs];
            const receivedAt = Date.now();
            const result = await writer.ingest(
              round,
              normalizeAll([...inputs, ...resend], receivedAt),
              receivedAt,
            );
            result.stored.forEach((stored, index) => {
              if (result.fresh[index]) acknowledged.push(stored.event.id);
            });
          }
        }),
      );
      end = acknowledged.length;
      const [first = [], second] = await Promise.all(watching);
      expect(first).toHaveLength(acknowledged.length);
      expect(second).toEqual(first);
      expect(new Set(first)).toEqual(new Set(acknowledged));
      expect(new Set(first).size).toBe(first.length);
      expect(await followers[0]?.endSeq(round)).toBe(acknowledged.length);
      totalEvents += acknowledged.length;
      // This round's connections go; the first pool (organizations) stays.
      for (const made of pools.splice(1)) await made.end();
    }
    expect(totalEvents).toBeGreaterThan(ROUNDS * WRITERS * BATCHES_PER_WRITER);
  }, 300_000);
  // The check has teeth: positions from a plain sequence (bigserial), committed with the same
  // random delays, are skipped by a follower polling `seq > last` (the probe: ~25% of them).
  it('a follower of bigserial positions under the same delays misses events for good', async () => {
    const admin = pools[0] as PgPool;
    await admin.query('CREATE TABLE serial_events (seq bigserial PRIMARY KEY, id text NOT NULL)');
    const random = prng(99);
    const writers = Array.from({ length: WRITERS }, () => pool());
    let writing = true;
    const seen: number[] = [];
    let last = 0;
    const readAfterLast = async () => {
      const { rows } = await admin.query<{ seq: number }>(
        'SELECT seq FROM serial_events WHERE seq > $1 ORDER BY seq',
        [last],
      );
      for (const row of rows) {
        seen.push(row.seq);
        last = row.seq;
      }
    };
    const following = (async () => {
      while (writing) {
        await readAfterLast();
        await sleep(1);
      }
      // Caught up after the last commit: a gap-free log would now be complete.
      await readAfterLast();
    })();
    await Promise.all(
      writers.map(async (writer) => {
        const client = await writer.connect();
        try {
          for (let i = 0; i < 25; i++) {
            await client.query('BEGIN');
            await client.query("INSERT INTO serial_events (id) VALUES ('x')");
            await sleep(random() * MAX_COMMIT_DELAY_MS);
            await client.query('COMMIT');
          }
        } finally {
          client.release();
        }
      }),
    );
    writing = false;
    await following;
    const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM serial_events');
    expect(rows[0]?.n).toBe(WRITERS * 25);
    expect(seen.length).toBeLessThan(WRITERS * 25);
  }, 60_000);
});
