import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createEventStore, type EventStore } from '../../src/store/event-store.js';
import { createExportChunkReader, type ExportChunkReader } from '../../src/store/export-chunk.js';
import { createPgEventStore, type PgEventStore } from '../../src/store/pg/events.js';
import { createPgPool } from '../../src/store/pg/pool.js';

// The PostgreSQL events store has the SQLite one's methods, async, so the store port's adapter
// (src/store/port.ts, another branch) can be a thin layer. The differences are by design:
// positions are per organization on PostgreSQL, so the position methods take the organization
// first; preparedStatements (better-sqlite3's statement cache) has no twin. SQLite's export chunk
// reader is added on top of its events store by the server (sqlite-server-stores.ts).

/** SQLite's method, as PostgreSQL has it: the same arguments, the answer in a promise. */
type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

/** The position methods, org-scoped on PostgreSQL: the organization first, then SQLite's arguments. */
type OrgScoped<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (orgId: number, ...args: A) => Promise<R>
    : never;
};

const ORG_SCOPED = ['findBySeq', 'readFrom', 'maxSeq', 'endSeq'] as const;
const SQLITE_ONLY = ['preparedStatements'] as const;

type Same = Omit<EventStore & ExportChunkReader, (typeof ORG_SCOPED)[number] | (typeof SQLITE_ONLY)[number]>;
type Scoped = Pick<EventStore, (typeof ORG_SCOPED)[number]>;

// Compile-time: `npm run lint` type-checks the tests, and fails here if a signature drifts.
const sameShape = (store: PgEventStore): Async<Same> & OrgScoped<Scoped> => store;

describe('the PostgreSQL events store mirrors the SQLite one', () => {
  it('has the same methods, the position ones scoped to an organization, and no statement cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-pg-shape-'));
    const db = openDatabase(join(dir, 'audit.db'));
    // No connection is made until a query: the store can be built without a server.
    const pool = createPgPool('postgres://nobody@127.0.0.1:1/none');
    try {
      const sqlite = Object.keys({ ...createEventStore(db), ...createExportChunkReader(db) }).sort();
      const pg = Object.keys(sameShape(createPgEventStore(pool))).sort();
      expect(pg).toEqual(sqlite.filter((name) => !(SQLITE_ONLY as readonly string[]).includes(name)));
      expect(sqlite).toEqual(expect.arrayContaining([...ORG_SCOPED, ...SQLITE_ONLY]));
    } finally {
      db.close();
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
