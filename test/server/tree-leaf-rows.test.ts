import Database from 'better-sqlite3';
import { afterEach, describe, expect } from 'vitest';
import type { Db } from '../../src/store/database.js';
import { EVENT_JSON, leafFieldsJsonSql } from '../../src/store/event-rows.js';
import { createLeafRowReader, MAX_UNSEALED_PER_READ } from '../../src/store/merkle-leaf-rows.js';
import { registerSearchFunctions } from '../../src/store/migrate.js';
import { createFixture, type Fixture, itOnSqlite } from '../helpers/server-fixture.js';

/**
 * The leaves route's reader (src/store/merkle-leaf-rows.ts) sends its rows as bytes and lists
 * unsealed events only when a count says some may be there. Both are held here to the plain
 * reading they replace — rows as strings joined, every event of the range searched for its
 * leaf — on a log tampered with at random the ways sqlite3 on the file can.
 */

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const HOSTILE_TEXT = [
  'plain',
  'ünïcødé 🚀',
  '\u0000\u001f\u007f',
  '"\\',
  '\u2028\u2029',
  '=1+1',
  'x'.repeat(1900),
];

/** The reading the reader replaces: every row as text, every event of the range searched. */
function plainLeafRows(raw: Database.Database, orgId: number, start: number, end: number) {
  const lines = raw
    .prepare(
      `SELECT json_array(leaf.position, lower(hex(leaf.hash)), leaf.event_id,
           leaf.timestamp, leaf.category, lower(hex(leaf.commitment)),
           iif(leaf.salt IS NULL, NULL, lower(hex(leaf.salt))),
           iif(event.seq IS NULL, NULL, ${leafFieldsJsonSql('event')})), leaf.event_seq
       FROM merkle_leaves AS leaf
       LEFT JOIN events AS event ON event.seq = leaf.event_seq AND event.org_id = leaf.org_id
       WHERE leaf.org_id = ? AND leaf.position >= ? AND leaf.position < ?
       ORDER BY leaf.position`,
    )
    .raw(true)
    .all(orgId, start, end) as [string, number][];
  const seqs = lines.map(([, seq]) => seq);
  const previous =
    start > 0
      ? (raw
          .prepare('SELECT event_seq FROM merkle_leaves WHERE org_id = ? AND position = ?')
          .pluck()
          .get(orgId, start - 1) as number | undefined)
      : Number.MIN_SAFE_INTEGER;
  const from = previous === undefined ? (seqs.length ? Math.min(...seqs) : null) : previous + 1;
  const to = seqs.length ? Math.max(...seqs) : null;
  const unsealed =
    from === null || to === null
      ? []
      : (raw
          .prepare(
            `SELECT ${EVENT_JSON} FROM events WHERE org_id = ? AND seq >= ? AND seq <= ?
               AND NOT EXISTS (SELECT 1 FROM merkle_leaves
                 WHERE merkle_leaves.event_seq = events.seq AND merkle_leaves.org_id = events.org_id)
             ORDER BY seq LIMIT ${MAX_UNSEALED_PER_READ}`,
          )
          .pluck()
          .all(orgId, from, to) as string[]);
  const rowsJson = lines.length === 0 ? '[]' : `[\n${lines.map(([json]) => json).join(',\n')}\n]`;
  return { rowsJson, unsealed };
}

/** A small deterministic generator (mulberry32), so a failing round can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function sealedLog(): Promise<{
  raw: Database.Database;
  orgId: number;
  otherOrg: number;
  size: number;
}> {
  fixture = await createFixture({ checkpointIntervalMs: 1 });
  const f = fixture;
  const raw = new Database(f.dbFile);
  registerSearchFunctions(raw as unknown as Db); // the full-text triggers of an event's update
  for (let batch = 0; batch < 4; batch++) {
    // Gaps of free sequence numbers between batches, where a forged event can be put.
    raw.prepare("UPDATE sqlite_sequence SET seq = seq + 7 WHERE name = 'events'").run();
    await f.ingest(
      HOSTILE_TEXT.map((text, i) => ({
        action: 'user.login',
        actor: { email: `u${batch}.${i}@example.com`, name: text.slice(0, 100) },
        description: text,
        metadata: { text, n: batch * 100 + i },
      })),
    );
  }
  await f.app.services.sealer.settle();
  const orgs = raw.prepare('SELECT id FROM organizations ORDER BY id').pluck().all() as number[];
  const orgId = raw.prepare("SELECT id FROM organizations WHERE slug = 'default'").pluck().get() as number;
  const otherOrg = orgs.find((id) => id !== orgId) as number;
  const size = raw
    .prepare('SELECT count(*) FROM merkle_leaves WHERE org_id = ?')
    .pluck()
    .get(orgId) as number;
  // What a writer of the file can also do: drop the guards.
  raw.exec(
    'DROP TRIGGER merkle_leaves_no_update; DROP TRIGGER merkle_leaves_no_delete; DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;',
  );
  return { raw, orgId, otherOrg, size };
}

/** One random change of the kinds sqlite3 on the file can make. */
function tamper(raw: Database.Database, orgId: number, otherOrg: number, next: () => number): void {
  const seqs = raw.prepare('SELECT seq FROM events ORDER BY seq').pluck().all() as number[];
  const pick = () => seqs[Math.floor(next() * seqs.length)] as number;
  const kind = Math.floor(next() * 5);
  if (kind === 0) {
    const free = pick() + 1 + Math.floor(next() * 6);
    raw
      .prepare(
        `INSERT OR IGNORE INTO events (seq, org_id, received_at, id, ts, action, category, description)
         SELECT ?, ?, received_at, 'log_FORGED' || ?, ts, 'user.login', 'auth', 'forged' FROM events WHERE seq = ?`,
      )
      .run(free, orgId, free, pick());
  } else if (kind === 1) {
    raw.prepare('DELETE FROM events WHERE seq = ?').run(pick());
  } else if (kind === 2) {
    // Two leaves swap the events they stand for: storing order no longer follows position.
    const [a, b] = [pick(), pick()];
    raw.prepare('UPDATE merkle_leaves SET event_seq = -1 WHERE event_seq = ?').run(a);
    raw.prepare('UPDATE merkle_leaves SET event_seq = ? WHERE event_seq = ?').run(a, b);
    raw.prepare('UPDATE merkle_leaves SET event_seq = ? WHERE event_seq = -1').run(b);
  } else if (kind === 3) {
    raw.prepare('UPDATE events SET org_id = ? WHERE seq = ?').run(otherOrg, pick());
  } else {
    // An event moved to a free sequence number: its leaf loses it, and it has none.
    const seq = pick();
    raw
      .prepare('UPDATE OR IGNORE events SET seq = ? WHERE seq = ?')
      .run(seq + 1 + Math.floor(next() * 6), seq);
  }
}

describe('the leaves route reader', () => {
  itOnSqlite(
    'reads what the plain reading reads, page by page, on a log tampered with at random',
    async () => {
      const { raw, orgId, otherOrg, size } = await sealedLog();
      const reader = createLeafRowReader(raw as unknown as Db);
      for (let round = 0; round < 30; round++) {
        const next = random(round + 1);
        if (round > 0) tamper(raw, orgId, otherOrg, next);
        const pageSize = 1 + Math.floor(next() * (next() < 0.5 ? 4 : size));
        for (let start = 0; start < size + 2; start += pageSize) {
          const read = reader.leafRows(orgId, start, start + pageSize);
          const plain = plainLeafRows(raw, orgId, start, start + pageSize);
          expect([round, start, Buffer.from(read.rowsJson)]).toEqual([
            round,
            start,
            Buffer.from(plain.rowsJson),
          ]);
          expect([round, start, read.unsealed]).toEqual([round, start, plain.unsealed]);
        }
      }
      raw.close();
    },
  );

  itOnSqlite(
    'an unsealed event is listed when a leaf of the page stands for an event stored before the page',
    async () => {
      const { raw, orgId, size } = await sealedLog();
      const seqs = raw
        .prepare('SELECT event_seq FROM merkle_leaves WHERE org_id = ? ORDER BY position')
        .pluck()
        .all(orgId) as number[];
      const taken = new Set(raw.prepare('SELECT seq FROM events').pluck().all() as number[]);
      // A page starting at leaf k, with a sequence number no event holds right after leaf k's.
      const k = seqs.findIndex(
        (seq, i) => i > 0 && i < seqs.length - 1 && !taken.has(seq + 1) && seq + 1 < (seqs[i + 1] as number),
      );
      const [before, first] = [seqs[k - 1] as number, seqs[k] as number];
      raw.prepare('UPDATE merkle_leaves SET event_seq = -1 WHERE event_seq = ?').run(before);
      raw.prepare('UPDATE merkle_leaves SET event_seq = ? WHERE event_seq = ?').run(before, first);
      raw.prepare('UPDATE merkle_leaves SET event_seq = ? WHERE event_seq = -1').run(first);
      raw
        .prepare(
          `INSERT INTO events (seq, org_id, received_at, id, ts, action, category, description)
         SELECT ? + 1, org_id, received_at, 'log_FORGED', ts, 'user.login', 'auth', 'forged' FROM events WHERE seq = ?`,
        )
        .run(first, first);
      // Leaf k now stands for an event before the page's range; the forged event is in it.
      const read = createLeafRowReader(raw as unknown as Db).leafRows(orgId, k, size);
      expect(read.unsealed.map((json) => JSON.parse(json).id)).toEqual(['log_FORGED']);
      const plain = plainLeafRows(raw, orgId, k, size);
      expect([Buffer.from(read.rowsJson), read.unsealed]).toEqual([
        Buffer.from(plain.rowsJson),
        plain.unsealed,
      ]);
      raw.close();
    },
  );

  itOnSqlite('an event whose text is not UTF-8 is read as the plain reading decodes it', async () => {
    const { raw, orgId, size } = await sealedLog();
    const reader = createLeafRowReader(raw as unknown as Db);
    const seq = raw.prepare('SELECT max(seq) FROM events WHERE org_id = ?').pluck().get(orgId) as number;
    // A lone byte of a two-byte sequence, a surrogate encoded as UTF-8 (CESU), a byte that never starts UTF-8.
    for (const hex of ['c3', 'eda080', 'ff']) {
      raw.prepare(`UPDATE events SET description = CAST(x'41${hex}42' AS TEXT) WHERE seq = ?`).run(seq);
      const read = reader.leafRows(orgId, 0, size);
      expect(typeof read.rowsJson).toBe('string');
      expect(read.rowsJson).toBe(plainLeafRows(raw, orgId, 0, size).rowsJson);
      expect(read.rowsJson).toContain('A\ufffd');
    }
    raw.close();
  });
});
