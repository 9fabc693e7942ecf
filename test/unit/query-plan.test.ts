import type { Statement } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor.js';
import type { EventFilter, VisibilityScope } from '../../src/domain/filters.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { buildPageQuery } from '../../src/store/event-query.js';
import { EXPORT_PAGE_COLUMNS, exportChunkSql } from '../../src/store/export-chunk.js';
import { READ_FROM_SQL } from '../../src/store/sqlite-engine.js';

const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2024-02-01T00:00:00Z');

/** Every list filter of the SPEC, alone and with a date range, as the API builds them. */
const FILTERS: Record<string, EventFilter> = {
  none: {},
  category: { categories: ['auth'] },
  'category+range': { categories: ['auth'], from: FROM, toExclusive: TO },
  categories: { categories: ['auth', 'billing'] },
  action: { actions: ['tunnel.deleted'] },
  'action prefix': { actionPrefixes: ['tunnel.'] },
  actor: { actor: 'alice@example.com' },
  self: { self: { userId: 'user_a', email: 'alice@example.com' } },
  actor_id: { actorId: 'user_a' },
  target: { target: 'api-staging.example.net' },
  resource: { resource: 'Engineering' },
  ip: { ip: '203.0.113.42' },
  team_id: { teamId: 'team_1' },
  text: { text: 'declined' },
  range: { from: FROM, toExclusive: TO },
  detailed: { detailed: true },
};

const SCOPES: Record<string, VisibilityScope> = {
  organization: { kind: 'organization' },
  team: { kind: 'team', teamId: 'team_1', userId: 'user_t', email: 'tom@example.com' },
  self: { kind: 'self', userId: 'user_m', email: 'mia@example.com' },
};

/**
 * Runs `query` on `sql` with a function in its WHERE clause that counts the rows the index walk
 * yields: what the query answered, and how many rows SQLite visited for it.
 */
function withVisits<T>(
  db: Db,
  sql: string,
  query: (statement: Statement) => T,
): { result: T; visited: number } {
  let visited = 0;
  db.function('visited', () => {
    visited++;
    return 1;
  });
  const result = query(db.prepare(sql.replace(' WHERE ', ' WHERE visited() AND ')));
  return { result, visited };
}

/** 20,000 events over two months, a realistic spread, so the planner's choices resemble a real log's. */
function fill(db: Db): void {
  db.exec("INSERT INTO organizations (slug, name, created_at) VALUES ('default', 'default', 0)");
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
    INSERT INTO events (org_id, id, ts, received_at, category, action, actor_id, actor_email, actor_name,
      target_id, target_name, ip_address, team_id, team_name)
    SELECT 1, 'log_' || i, ${FROM} - 86400000 * 30 + i * 600000, 0,
      CASE i % 9 WHEN 0 THEN 'auth' WHEN 1 THEN 'billing' WHEN 2 THEN 'tunnel' WHEN 3 THEN 'team'
        WHEN 4 THEN 'review' WHEN 5 THEN 'security' WHEN 6 THEN 'settings' WHEN 7 THEN 'profile' ELSE 'access' END,
      'action.' || (i % 40), 'user_' || (i % 50), 'u' || (i % 50) || '@example.com', 'User ' || (i % 50),
      'target_' || (i % 300), 'target-' || (i % 300), '203.0.113.' || (i % 200), 'team_' || (i % 5), 'Team ' || (i % 5)
    FROM n`);
}

describe('query plans: every filter is answered from an index, never a table scan', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
    fill(db);
    db.exec('ANALYZE');
  });
  afterAll(() => db.close());

  const plan = (filter: EventFilter, scope: VisibilityScope, cursor?: string) => {
    const { sql, params } = buildPageQuery('id', 1, filter, scope, {
      order: 'desc',
      limit: 50,
      cursor: cursor ? decodeCursor(cursor) : undefined,
    });
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map(
      (row) => row.detail,
    );
  };

  for (const [name, filter] of Object.entries(FILTERS)) {
    for (const [scopeName, scope] of Object.entries(SCOPES)) {
      it(`${name} as ${scopeName}`, () => {
        const cursor = encodeCursor({ order: 'desc', timestamp: TO, seq: 1_000_000 });
        for (const details of [plan(filter, scope), plan(filter, scope, cursor)]) {
          const eventsAccess = details.filter(
            (detail) => /\bevents\b/.test(detail) && !/events_fts/.test(detail),
          );
          expect(eventsAccess.length, details.join(' | ')).toBeGreaterThan(0);
          // Every access to the events table goes through an index (or the rowid), never a bare SCAN.
          for (const detail of eventsAccess) {
            expect(detail, details.join(' | ')).toMatch(
              /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|SEARCH events/,
            );
          }
        }
      });
    }
  }

  it('walks the category index in page order for a category and date range (no sort step)', () => {
    const details = plan(FILTERS['category+range'] as EventFilter, { kind: 'organization' });
    expect(details.join(' | ')).toMatch(/events_category_time/);
    expect(details.join(' | ')).not.toMatch(/TEMP B-TREE/);
  });
});

// Without ANALYZE, as a server's database is: SQLite then has no statistics to pick a bound by.
describe('keyset pages', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
    fill(db);
  });
  afterAll(() => db.close());

  // The rows SQLite visits for one page: a function in the WHERE clause runs once per row the
  // index walk yields. A page after a cursor must start at the cursor, not at the range's start.
  for (const order of ['asc', 'desc'] as const) {
    it(`starts a ${order} page after a cursor at the cursor, inside a date range`, () => {
      const middle = db
        .prepare('SELECT ts, seq FROM events WHERE ts >= ? AND ts < ? ORDER BY ts, seq LIMIT 1 OFFSET 2000')
        .get(FROM, TO) as { ts: number; seq: number };
      const cursor = { order, timestamp: middle.ts, seq: middle.seq };
      const { sql, params } = buildPageQuery(
        'id',
        1,
        { from: FROM, toExclusive: TO, detailed: true },
        SCOPES.organization as VisibilityScope,
        {
          order,
          limit: 50,
          cursor,
        },
      );
      const { result: ids, visited } = withVisits(db, sql, (statement) => statement.pluck().all(params));
      expect(ids).toHaveLength(51);
      expect(visited).toBeLessThanOrEqual(52);
    });
  }
});

// A page after a position (`?after=`, a stream resumed from Last-Event-ID): in storing order,
// from the position on. Without an (org_id, seq) index SQLite read the organization's every event
// and sorted them, for each page.
describe('position pages', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
    fill(db);
  });
  afterAll(() => db.close());

  const filters: [string, EventFilter][] = [
    ['no filter', {}],
    ['a category', { categories: ['auth'] }],
  ];
  for (const [name, filter] of filters) {
    it(`visits the rows after the position, not the organization's all (${name})`, () => {
      const afterSeq = 20_000 - 200;
      const { sql, params } = buildPageQuery(
        'id',
        1,
        { ...filter, detailed: true },
        SCOPES.organization as VisibilityScope,
        {
          afterSeq,
          limit: 50,
        },
      );
      const { result: ids, visited } = withVisits(db, sql, (statement) => statement.pluck().all(params));
      expect(ids.length).toBeGreaterThan(0);
      expect(visited).toBeLessThanOrEqual(200);
      expect(
        db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(params)
          .map((row) => (row as { detail: string }).detail)
          .join(' | '),
      ).not.toMatch(/TEMP B-TREE/);
    });
  }
});

// A page pinned to a tree size (`tree_size`, an export's proof): its position bound must not
// pick the index by position, which would read the organization's events up to the bound and
// sort them by time for each page.
describe('pages pinned to a tree size', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
    fill(db);
  });
  afterAll(() => db.close());

  const filters: [string, EventFilter][] = [
    ['no filter', { maxSeq: 19_000 }],
    ['a category', { maxSeq: 19_000, categories: ['auth'] }],
  ];
  for (const [name, filter] of filters) {
    for (const order of ['asc', 'desc'] as const) {
      it(`walks in page order, visiting about a page of rows (${name}, ${order})`, () => {
        const { sql, params } = buildPageQuery(
          'id',
          1,
          { ...filter, detailed: true },
          SCOPES.organization as VisibilityScope,
          {
            order,
            limit: 50,
          },
        );
        const { result: ids, visited } = withVisits(db, sql, (statement) => statement.pluck().all(params));
        expect(ids).toHaveLength(51);
        // The page, and at most the 1,000 newest events above the bound that a walk passes over.
        expect(visited).toBeLessThanOrEqual(1_051);
        const details = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
        expect(details.map((row) => row.detail).join(' | ')).not.toMatch(/TEMP B-TREE/);
      });
    }
  }
});

// The follower hub reads each followed organization after its mark, and a stream's catch-up
// reads a page after its position with the stream's filter and scope: both start at the
// position through events_org_seq (migration 4), with no sort step. Before it, a hub read cost
// ~70 ms at 500,000 events, a new stream's catch-up ~39 ms.
describe('follower hub and stream catch-up reads', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
    fill(db);
  });
  afterAll(() => db.close());
  const details = (sql: string, params: unknown) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as never) as { detail: string }[])
      .map((row) => row.detail)
      .join(' | ');

  it("the hub's read of an organization visits the rows after its mark, through events_org_seq", () => {
    const params = [20_000 - 100, 1, 1000];
    const { result: rows, visited } = withVisits(db, READ_FROM_SQL, (statement) => statement.all(params));
    expect(rows).toHaveLength(100);
    expect(visited).toBeLessThanOrEqual(101);
    const plan = details(READ_FROM_SQL, params);
    expect(plan).toMatch(/USING INDEX events_org_seq \(org_id=\? AND seq>\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  // A search (text) goes through the full-text index first, as the list's does.
  for (const [name, filter] of Object.entries(FILTERS).filter(([name]) => name !== 'text')) {
    for (const [scopeName, scope] of Object.entries(SCOPES)) {
      it(`a catch-up page (${name} as ${scopeName}) starts at its position, unsorted`, () => {
        const { sql, params } = buildPageQuery('id', 1, filter, scope, { afterSeq: 19_000, limit: 100 });
        const plan = details(sql, params);
        expect(plan).toMatch(/USING INDEX events_org_seq \(org_id=\? AND seq>\?\)/);
        expect(plan).not.toMatch(/TEMP B-TREE/);
      });
    }
  }
});

// The streamed export's chunk (store/export-chunk.ts) wraps the list's page query: the same
// indexes, the page in index order, and only the join of the kept rows sorted. Without
// ANALYZE, as a server's database is.
describe('export chunks', () => {
  const IN_INDEX_ORDER = new Set([
    'none',
    'category',
    'category+range',
    'action',
    'actor_id',
    'ip',
    'team_id',
    'range',
    'detailed',
  ]);
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
    fill(db);
  });
  afterAll(() => db.close());

  const chunk = (
    filter: EventFilter,
    scope: VisibilityScope,
    cursor?: { timestamp: number; seq: number },
  ) => {
    const page = buildPageQuery(EXPORT_PAGE_COLUMNS, 1, filter, scope, {
      order: 'asc',
      limit: 1000,
      cursor: cursor && { order: 'asc', ...cursor },
    });
    return {
      sql: exportChunkSql(page.sql),
      params: { ...page.params, chunkRows: 1000, chunkBytes: 1_000_000 },
    };
  };

  for (const [name, filter] of Object.entries(FILTERS)) {
    for (const [scopeName, scope] of Object.entries(SCOPES)) {
      it(`${name} as ${scopeName}: through an index, the page unsorted`, () => {
        for (const cursor of [undefined, { timestamp: FROM, seq: 5000 }]) {
          const { sql, params } = chunk(filter, scope, cursor);
          const details = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map(
            (row) => row.detail,
          );
          const eventsAccess = details.filter(
            (detail) => /\bevents\b/.test(detail) && !/events_fts/.test(detail),
          );
          expect(eventsAccess.length, details.join(' | ')).toBeGreaterThan(1);
          for (const detail of eventsAccess)
            expect(detail, details.join(' | ')).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
          const sorts = details.filter((detail) => /TEMP B-TREE/.test(detail));
          // The kept rows are joined in the page's order, never sorted again; with one index in
          // page order nothing is sorted at all (filters that are alternatives, an OR or a
          // search, sort their page as the list does).
          expect(
            sorts.filter((detail) => /group_concat/.test(detail)),
            details.join(' | '),
          ).toEqual([]);
          if (scopeName === 'organization' && IN_INDEX_ORDER.has(name))
            expect(sorts, details.join(' | ')).toEqual([]);
        }
      });
    }
  }

  it('starts after its cursor: it visits the rows of one chunk, not the range before it', () => {
    const middle = db
      .prepare('SELECT ts, seq FROM events WHERE ts >= ? ORDER BY ts, seq LIMIT 1 OFFSET 10000')
      .get(FROM) as { ts: number; seq: number };
    const { sql, params } = chunk({ detailed: true }, SCOPES.organization as VisibilityScope, {
      timestamp: middle.ts,
      seq: middle.seq,
    });
    const { result: answer, visited } = withVisits(db, sql, (statement) => statement.raw(true).get(params));
    const [, count] = answer as [Buffer, number];
    expect(count).toBe(1000);
    expect(visited).toBeLessThanOrEqual(1002);
  });
});
