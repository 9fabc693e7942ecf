import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PageCursor, SortOrder } from '../../src/domain/cursor.js';
import type { AuditEvent } from '../../src/domain/event.js';
import type { EventFilter, VisibilityScope } from '../../src/domain/filters.js';
import { searchedFields, searchPhrases, textMatches } from '../../src/domain/free-text.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import type { PageRequest } from '../../src/store/event-reads.js';
import { createExportChunkReader, type ExportChunkReader } from '../../src/store/export-chunk.js';
import { ingestInTransaction } from '../../src/store/pg/event-ingest.js';
import { createPgEventStore, type PgEventStore } from '../../src/store/pg/events.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { normalizeAll, twinInputs } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

// The events store on PostgreSQL against SQLite's, side by side: the same events ingested in
// the same batches, then every filter, scope, order and cursor walk asked of both; the answers
// must be equal, event for event, position for position.

const DAY = 86_400_000;
const BASE_TS = Date.UTC(2026, 10, 20, 12, 0, 0);
const EVENTS = 300;
const BATCH_SIZES = [1, 5, 50, 3, 100, 1, 40, 100];

const FILTERS: [string, EventFilter][] = [
  ['no filter', {}],
  ['detailed', { detailed: true }],
  ['categories', { categories: ['auth', 'security'] }],
  ['the access category by name', { categories: ['access'] }],
  ['actions', { actions: ['user.login', 'tunnel.created', 'team.member_added'] }],
  ['action prefixes', { actionPrefixes: ['tunnel.', 'user.log'] }],
  ['actions and a prefix', { actions: ['billing.invoice_paid'], actionPrefixes: ['team.'] }],
  ['checkpoint records by name', { actions: ['audit.checkpoint_signed'] }],
  ['actor email in another case', { actor: 'ALICE@example.com' }],
  ['actor name folded', { actor: 'alice martin' }],
  ['actor name, non-ASCII letters not folded', { actor: 'bob ørsted' }],
  ['actor id', { actorId: 'u3' }],
  ['actor with U+0000', { actor: 'Nul\u0000Byte' }],
  ['actor=me', { self: { userId: 'u4', email: 'ALICE@EXAMPLE.COM' } }],
  ['target name folded', { target: 'PROD TUNNEL' }],
  ['target id', { target: 't-2' }],
  ['resource: team name', { resource: 'platform' }],
  ['resource: actor email', { resource: 'bob@EXAMPLE.org' }],
  ['ip', { ip: '203.0.113.42' }],
  ['team id', { teamId: 'team-2' }],
  ['time range', { from: BASE_TS - 10 * DAY, toExclusive: BASE_TS - 2 * DAY }],
  ['before 2000', { toExclusive: Date.UTC(2000, 0, 1), detailed: true }],
  ['received before', { receivedBefore: BASE_TS + 4_000 }],
  ['max seq', { maxSeq: 100 }],
  ['combined', { categories: ['auth', 'tunnel'], actor: 'alice@example.com', from: BASE_TS - 30 * DAY }],
  ...[
    'alice',
    'alice@exa',
    'ALICE@EXAMPLE.COM',
    '203.0.113',
    '203.0.113.4',
    'prod tun',
    'tunnel prod-eu',
    'zoe',
    'CAFE creme',
    '東京',
    '🚀',
    '👍',
    'delta eps',
    'gamma',
    'eu-west',
    '1',
    'true',
    '1.0e',
    '2.5e-07',
    'quote',
    "'",
    '\\ backslash',
    '--',
    'resume naive',
    '2nd attempt',
    'attempt 2nd',
    'example.com/user.log',
    'martin/alice',
    'tunnel.cr',
    'byte',
  ].map((text): [string, EventFilter] => [`text ${JSON.stringify(text)}`, { text, detailed: true }]),
  ['text with a filter', { text: 'alice', categories: ['auth'] }],
];

/**
 * Words unicode61 alone indexed unfolded (й, ё, the ﬁ ligature) while the query folds them (NFKD,
 * marks removed): SQLite's index is now given tokens made by free-text.ts (migration 5), as
 * PostgreSQL's tsvector is, so both find them.
 */
const FOLDED_WORDS = ['удалён', 'удален', 'файл', 'file', 'Файл удалён'];

const SCOPES: VisibilityScope[] = [
  { kind: 'organization' },
  { kind: 'team', teamId: 'team-1', userId: 'u3', email: 'ALICE@example.com' },
  { kind: 'self', userId: 'u4', email: 'bob@example.org' },
];

describePostgres('the PostgreSQL events store answers as the SQLite one does', () => {
  let database: TestDatabase;
  let pool: PgPool;
  let db: Db;
  let sqlite: Stores;
  let sqliteExportChunks: ExportChunkReader;
  let pg: PgEventStore;
  let orgId: number;
  let otherOrgId: number;
  const events: AuditEvent[] = [];

  const COUNTS_SQL =
    'SELECT hour, category, action, events FROM event_counts WHERE org_id = ? ORDER BY 1, 2, 3';
  const countsOnSqlite = () => db.prepare(COUNTS_SQL).all(orgId);
  const countsOnPostgres = async () => (await pool.query(COUNTS_SQL.replace('?', '$1'), [orgId])).rows;

  const ingestBoth = async (org: number, batch: AuditEvent[], receivedAt: number) => {
    const expected = sqlite.events.ingest(org, batch, receivedAt);
    const actual = await pg.ingest(org, batch, receivedAt);
    expect(actual).toEqual(expected);
    return actual;
  };

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 4 });
    db = openDatabase(`${tempDir('pg-twin')}/audit.db`);
    sqlite = createStores(db);
    sqliteExportChunks = createExportChunkReader(db);
    pg = createPgEventStore(pool);
    orgId = sqlite.directory.ensureOrganization('default').organization.id;
    otherOrgId = sqlite.directory.ensureOrganization('other').organization.id;
    for (const [id, slug] of [
      [orgId, 'default'],
      [otherOrgId, 'other'],
    ] as const) {
      await pool.query('INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, $2, $2, 0)', [
        id,
        slug,
      ]);
    }
    const inputs = twinInputs(EVENTS);
    let start = 0;
    for (const [index, size] of BATCH_SIZES.entries()) {
      const receivedAt = BASE_TS + index * 1_000;
      const batch = normalizeAll(inputs.slice(start, start + size), receivedAt);
      start += size;
      events.push(...batch);
      await ingestBoth(orgId, batch, receivedAt);
    }
    expect(start).toBe(EVENTS);
  });
  afterAll(async () => {
    db?.close();
    await pool?.end();
    await database?.drop();
  });

  it(`stored ${EVENTS} events in ${BATCH_SIZES.length} batches at positions 1…${EVENTS}, as SQLite did`, async () => {
    expect(await pg.endSeq(orgId)).toBe(EVENTS);
    expect(await pg.maxSeq(orgId)).toBe(EVENTS);
    expect(await pg.maxSeq(otherOrgId)).toBe(0);
    expect(sqlite.events.maxSeq()).toBe(EVENTS);
  });

  it(`pages every filter (${FILTERS.length}) in every scope (${SCOPES.length}), both orders, by cursor to the end`, async () => {
    let pages = 0;
    for (const [name, filter] of FILTERS) {
      for (const scope of SCOPES) {
        for (const order of ['desc', 'asc'] as SortOrder[]) {
          let cursor: PageCursor | undefined;
          for (let page = 0; page < 100; page++) {
            const request: PageRequest = { order, limit: 40, ...(cursor ? { cursor } : {}) };
            const expected = sqlite.events.page(orgId, filter, scope, request);
            const actual = await pg.page(orgId, filter, scope, request);
            expect(actual, `${name}, ${scope.kind}, ${order}, page ${page}`).toEqual(expected);
            const json = await pg.pageJson(orgId, filter, scope, request);
            expect(json, `${name}, ${scope.kind}, ${order}, page ${page} (JSON)`).toEqual(
              sqlite.events.pageJson(orgId, filter, scope, request),
            );
            pages++;
            const last = actual.events.at(-1);
            if (!actual.hasMore || !last) break;
            cursor = { order, timestamp: Date.parse(last.event.timestamp), seq: last.seq };
          }
        }
      }
    }
    expect(pages).toBeGreaterThan(FILTERS.length * SCOPES.length * 2);
  }, 120_000);

  it(`finds what free-text.ts matches on both engines (${FOLDED_WORDS.length} words: й, ё, ﬁ)`, async () => {
    const request: PageRequest = { order: 'desc', limit: 1000 };
    const all = (await pg.page(orgId, { detailed: true }, { kind: 'organization' }, request)).events;
    for (const text of FOLDED_WORDS) {
      const phrases = searchPhrases(text);
      const expected = all.filter(({ event }) => textMatches(phrases, searchedFields(event)));
      const filter = { text, detailed: true };
      expect(expected.length, text).toBeGreaterThan(0);
      expect((await pg.page(orgId, filter, { kind: 'organization' }, request)).events, text).toEqual(
        expected,
      );
      expect(sqlite.events.page(orgId, filter, { kind: 'organization' }, request).events, text).toEqual(
        expected,
      );
    }
  });

  it('answers offset pages and position pages (after a seq) the same', { timeout: 120_000 }, async () => {
    for (const [name, filter] of FILTERS) {
      const offsetPage: PageRequest = { order: 'desc', limit: 5, offset: 10 };
      expect(await pg.page(orgId, filter, { kind: 'organization' }, offsetPage), name).toEqual(
        sqlite.events.page(orgId, filter, { kind: 'organization' }, offsetPage),
      );
      for (const afterSeq of [0, 17, 150, EVENTS]) {
        const request: PageRequest = { afterSeq, limit: 40 };
        expect(
          await pg.page(orgId, filter, { kind: 'organization' }, request),
          `${name} after ${afterSeq}`,
        ).toEqual(sqlite.events.page(orgId, filter, { kind: 'organization' }, request));
      }
    }
  });

  it('finds each event by id, by position and in scope, and reads from a position, as SQLite does', async () => {
    const end = await pg.endSeq(orgId);
    for (let seq = 1; seq <= end; seq++) {
      const expected = sqlite.events.findBySeq(seq);
      expect(await pg.findBySeq(orgId, seq)).toEqual(expected);
      const id = expected?.event.id as string;
      expect(await pg.findById(orgId, id)).toEqual(sqlite.events.findById(orgId, id));
      for (const scope of SCOPES) {
        expect(await pg.findVisible(orgId, id, scope)).toEqual(sqlite.events.findVisible(orgId, id, scope));
      }
    }
    expect(await pg.findById(orgId, 'no-such-id')).toBeUndefined();
    expect(await pg.findById(otherOrgId, 'e0001')).toBeUndefined();
    for (const [after, limit] of [
      [0, 1000],
      [0, 7],
      [99, 50],
      [end - 1, 10],
      [end, 10],
    ] as const) {
      expect(await pg.readFrom(orgId, after, limit)).toEqual(sqlite.events.readFrom(after, limit));
    }
  }, 120_000);

  it('counts the events by hour, category and action as SQLite does (event_counts)', async () => {
    expect(await countsOnPostgres()).toEqual(countsOnSqlite());
    expect((await countsOnPostgres()).length).toBeGreaterThan(20);
  });

  it('cuts the streamed export into the same chunks, byte for byte, by rows and by bytes', async () => {
    let chunks = 0;
    for (const [name, filter] of FILTERS.filter((_, index) => index % 4 === 0)) {
      for (const [maxRows, maxBytes] of [
        [7, 1_000_000],
        [1000, 2_000],
      ] as const) {
        let cursor: PageCursor | undefined;
        for (let chunk = 0; chunk < 200; chunk++) {
          const request = { cursor, maxRows, maxBytes };
          const expected = sqliteExportChunks.exportChunk(orgId, filter, { kind: 'organization' }, request);
          const actual = await pg.exportChunk(orgId, filter, { kind: 'organization' }, request);
          expect({ ...actual, rows: actual.rows.toString() }, `${name}, chunk ${chunk}`).toEqual({
            ...expected,
            rows: expected.rows.toString(),
          });
          chunks++;
          if (!actual.last) break;
          cursor = { order: 'asc', timestamp: actual.last.ts, seq: actual.last.seq };
        }
      }
    }
    expect(chunks).toBeGreaterThan(100);
  }, 120_000);

  it('searches text past the tsvector limits (a lexeme 300 times, 20,000 positions) through search_text alike', async () => {
    const receivedAt = BASE_TS + 50_000;
    const batch = normalizeAll(
      [
        { id: 'long-1', action: 'doc.saved', metadata: { body: `${'w '.repeat(300)}needle tail end` } },
        {
          id: 'long-2',
          action: 'doc.saved',
          metadata: { body: `${'a1 b2 '.repeat(10_000)}haystack`, other: 'needle' },
        },
        { id: 'short', action: 'doc.saved', description: 'needle tail' },
      ],
      receivedAt,
    );
    await ingestBoth(orgId, batch, receivedAt);
    const overflowed = await pool.query(
      "SELECT id FROM events WHERE search IS NULL AND id LIKE 'long-%' ORDER BY id",
    );
    expect(overflowed.rows.map((row) => row.id)).toEqual(['long-1', 'long-2']);
    const found = await pg.page(
      orgId,
      { text: 'needle tail' },
      { kind: 'organization' },
      { order: 'asc', limit: 9 },
    );
    expect(found.events.map((stored) => stored.event.id)).toEqual(['long-1', 'short']);
    for (const text of [
      'needle tail',
      'needle',
      'w w needle',
      'w needle t',
      'tail w',
      'b2 haystack',
      'a1 b2 a1',
      'haystack needle',
      'end/w',
    ]) {
      const request: PageRequest = { order: 'asc', limit: 10 };
      const filter = { text, from: BASE_TS - DAY };
      expect(await pg.page(orgId, filter, { kind: 'organization' }, request), text).toEqual(
        sqlite.events.page(orgId, filter, { kind: 'organization' }, request),
      );
    }
  });

  it("keeps organizations apart: another organization's positions start at 1 and its events stay its own", async () => {
    const receivedAt = BASE_TS + 80_000;
    const batch = normalizeAll(
      [{ id: 'e0001', action: 'user.login', actor: { email: 'alice@example.com' } }],
      receivedAt,
    );
    const result = await pg.ingest(otherOrgId, batch, receivedAt);
    expect(result.fresh).toEqual([true]);
    expect(result.stored[0]?.seq).toBe(1);
    expect((await pg.readFrom(otherOrgId, 0, 10)).map((stored) => stored.event.id)).toEqual(['e0001']);
    const page = await pg.page(
      otherOrgId,
      { actor: 'alice@example.com' },
      { kind: 'organization' },
      {
        order: 'desc',
        limit: 10,
      },
    );
    expect(page.events.map((stored) => stored.orgId)).toEqual([otherOrgId]);
    expect((await pg.findById(orgId, 'e0001'))?.orgId).toBe(orgId);
  });
  // Last: from here on the positions differ by design. SQLite's AUTOINCREMENT spends a number on
  // an id it then finds stored (ON CONFLICT DO NOTHING), PostgreSQL gives a duplicate none.
  it('takes no position for an id already stored or repeated in the batch, and returns the stored event', async () => {
    const receivedAt = BASE_TS + 60_000;
    const [again, fresh] = normalizeAll(
      [
        { id: 'e0003', action: 'user.logout', description: 'a different event with a known id' },
        { id: 'dup-1', action: 'user.login' },
      ],
      receivedAt,
    ) as [AuditEvent, AuditEvent];
    const batch = [again, fresh, { ...fresh, description: 'same id again' }];
    const end = await pg.endSeq(orgId);
    const expected = sqlite.events.ingest(orgId, batch, receivedAt);
    const result = await pg.ingest(orgId, batch, receivedAt);
    const withoutSeq = (stored: { seq: number }[]) => stored.map(({ seq: _, ...rest }) => rest);
    expect(withoutSeq(result.stored)).toEqual(withoutSeq(expected.stored));
    expect([result.fresh, result.created]).toEqual([expected.fresh, expected.created]);
    expect(result.fresh).toEqual([false, true, false]);
    expect(result.stored.map((stored) => stored.seq)).toEqual([4, end + 1, end + 1]);
    expect(result.stored[0]?.event).toEqual(events[3]);
    expect(await pg.endSeq(orgId)).toBe(end + 1);
    const known = await pg.ingest(
      orgId,
      normalizeAll([{ id: 'e0010', action: 'x.y' }], receivedAt),
      receivedAt,
    );
    expect([known.fresh, known.stored[0]?.seq]).toEqual([[false], 11]);
    expect(await pg.endSeq(orgId)).toBe(end + 1);
    expect(await pg.readFrom(orgId, end - 1, 10)).toHaveLength(2);
  });

  it('keeps text with U+0000 and U+0001, stored escaped and read back as sent', async () => {
    const receivedAt = BASE_TS + 70_000;
    const actor = { name: 'a\u0000b\u0001c\u00010', email: '\u0001' };
    const batch = normalizeAll([{ id: 'nul-2', action: 'user.login', actor }], receivedAt);
    sqlite.events.ingest(orgId, batch, receivedAt);
    await pg.ingest(orgId, batch, receivedAt);
    expect((await pg.findById(orgId, 'nul-2'))?.event.actor).toEqual(batch[0]?.actor);
    const withNulId = normalizeAll([{ id: 'id\u0000nul', action: 'user.login' }], receivedAt);
    sqlite.events.ingest(orgId, withNulId, receivedAt);
    expect((await pg.ingest(orgId, withNulId, receivedAt)).fresh).toEqual([true]);
    expect((await pg.ingest(orgId, withNulId, receivedAt)).fresh).toEqual([false]);
    expect((await pg.findById(orgId, 'id\u0000nul'))?.event.id).toBe('id\u0000nul');
    expect(await pg.findById(orgId, 'id\u00010nul')).toBeUndefined();
    const page = await pg.page(
      orgId,
      { actor: actor.name },
      { kind: 'organization' },
      { order: 'asc', limit: 5 },
    );
    expect(page.events.map((stored) => stored.event.id)).toEqual(['nul-2']);
  });

  it('purges the events before a time as SQLite does, counts and ids included; a purged id may come again', async () => {
    const cutoff = BASE_TS - 20 * DAY;
    const audited: number[] = [];
    const expected = sqlite.events.purgeBefore(orgId, cutoff);
    const purged = await pg.purgeBefore(orgId, cutoff, (count) => {
      audited.push(count);
    });
    expect(purged).toBe(expected);
    expect(purged).toBeGreaterThan(50);
    expect(audited).toEqual([purged]);
    expect(await pg.purgeBefore(orgId, cutoff)).toBe(0);
    expect(await countsOnPostgres()).toEqual(countsOnSqlite());
    const idsOf = (page: { events: { event: { id: string } }[] }) =>
      page.events.map((stored) => stored.event.id);
    const everything: PageRequest = { order: 'asc', limit: 1000 };
    expect(idsOf(await pg.page(orgId, { detailed: true }, { kind: 'organization' }, everything))).toEqual(
      idsOf(sqlite.events.page(orgId, { detailed: true }, { kind: 'organization' }, everything)),
    );
    const gone = events.find((event) => Date.parse(event.timestamp) < cutoff) as AuditEvent;
    expect(await pg.findById(orgId, gone.id)).toBeUndefined();
    const end = await pg.endSeq(orgId);
    const again = await pg.ingest(orgId, [gone], BASE_TS);
    expect([again.fresh, again.stored[0]?.seq]).toEqual([[true], end + 1]);
  });

  it('records a purge in its own transaction (ingestInTransaction); a record that fails undoes the purge', async () => {
    const cutoff = BASE_TS - 10 * DAY;
    const before = (
      await pg.page(orgId, { detailed: true }, { kind: 'organization' }, { order: 'asc', limit: 1000 })
    ).events.length;
    await expect(
      pg.purgeBefore(orgId, cutoff, () => {
        throw new Error('the record could not be written');
      }),
    ).rejects.toThrow('could not be written');
    const unchanged = await pg.page(
      orgId,
      { detailed: true },
      { kind: 'organization' },
      { order: 'asc', limit: 1000 },
    );
    expect(unchanged.events).toHaveLength(before);
    const end = await pg.endSeq(orgId);
    const receivedAt = BASE_TS + 90_000;
    const purged = await pg.purgeBefore(orgId, cutoff, async (count, client) => {
      const record = normalizeAll(
        [{ id: 'purge-record', action: 'audit.retention_purged', metadata: { count } }],
        receivedAt,
      );
      const { result } = await ingestInTransaction(client, orgId, record, receivedAt);
      expect(result.stored[0]?.seq).toBe(end + 1);
    });
    expect(purged).toBeGreaterThan(0);
    expect((await pg.findById(orgId, 'purge-record'))?.event.metadata).toEqual({ count: purged });
    expect(await pg.endSeq(orgId)).toBe(end + 1);
  });
});
