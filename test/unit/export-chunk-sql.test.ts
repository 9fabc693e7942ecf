import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { EXPORT_ROW_FIELDS, exportRowToEvent } from '../../src/domain/export-stream.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { FIELD_COLUMNS } from '../../src/store/event-columns.js';
import { EVENT_COLUMNS, valuesToEvent } from '../../src/store/event-rows.js';
import {
  createExportChunkReader,
  EXPORT_ROW_COLUMNS,
  type ExportChunkReader,
  exportChunkSql,
  exportRowSql,
} from '../../src/store/export-chunk.js';
import { createStores, type Stores } from '../../src/store/stores.js';

// The streamed export sends rows SQLite built (exportRowSql) and the client decodes them with
// exportRowToEvent; everything else reads a row's values into an event with valuesToEvent. For
// any value the table can hold, the two must be the same event, keys and their order included.
let dir: string;
let db: Db;
let stores: Stores;
let exportChunks: ExportChunkReader;
let orgCount = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-export-chunk-'));
  db = openDatabase(join(dir, 'audit.db'));
  stores = createStores(db);
  exportChunks = createExportChunkReader(db);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const FIRST_MS = new Date('0000-01-01T00:00:00.000Z').getTime();
const LAST_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

/** A row's field values as stored, in FIELD_COLUMNS order; `null` where a column allows it. */
type StoredValues = (string | number | null)[];

/** Stores the rows as they are (no normalizing: hostile values reach the table) in a new organization. */
function storeRows(rows: readonly StoredValues[]): number {
  orgCount++;
  const orgId = stores.directory.ensureOrganization(`org-${orgCount}`).organization.id;
  const insert = db.prepare(
    `INSERT INTO events (org_id, received_at, ${FIELD_COLUMNS.map((c) => c.name).join(', ')})
     VALUES (?, 0, ${FIELD_COLUMNS.map(() => '?').join(', ')})`,
  );
  db.transaction(() => {
    for (const row of rows) insert.run(orgId, ...row);
  })();
  return orgId;
}

/** Every row of the organization read both ways, oldest first. */
function bothWays(orgId: number): { streamed: AuditEvent[]; decoded: AuditEvent[] } {
  const values = db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = ? ORDER BY ts, seq`)
    .raw(true)
    .all(orgId) as unknown[][];
  const decoded = values.map((row) => valuesToEvent(row, 3));
  const scope = { kind: 'organization' } as const;
  const streamed: AuditEvent[] = [];
  let cursor: { order: 'asc'; timestamp: number; seq: number } | undefined;
  for (;;) {
    const chunk = exportChunks.exportChunk(orgId, { detailed: true }, scope, {
      cursor,
      maxRows: 7,
      maxBytes: 2000,
    });
    if (chunk.count === 0 || !chunk.last) break;
    const rows = JSON.parse(`[${chunk.rows.toString('utf8')}]`) as unknown[][];
    expect(rows).toHaveLength(chunk.count);
    streamed.push(...rows.map(exportRowToEvent));
    cursor = { order: 'asc', timestamp: chunk.last.ts, seq: chunk.last.seq };
  }
  return { streamed, decoded };
}

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\u0000',
      '\u001f',
      '\u2028',
      '\u007f',
      '/',
      '💩',
      'é',
      '\ud800',
      '\udfff',
    ),
    maxLength: 12,
  }),
);
const nullableText = fc.option(text, { nil: null });
const json = fc
  .option(fc.dictionary(text, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }), { nil: null })
  .map((value) => (value === null ? null : JSON.stringify(value)));
const row: fc.Arbitrary<StoredValues> = fc.tuple(
  text.filter((id) => id !== ''),
  fc.integer({ min: FIRST_MS, max: LAST_MS }),
  text,
  text,
  ...FIELD_COLUMNS.slice(4, 16).map(() => nullableText),
  json,
  json,
) as fc.Arbitrary<StoredValues>;

describe('the export row SQLite builds', () => {
  it('names the columns of EXPORT_ROW_FIELDS in the order of the event’s own keys', () => {
    expect(EXPORT_ROW_COLUMNS.map((column) => column.name)).toEqual(
      FIELD_COLUMNS.map((column) => column.name),
    );
    expect(EXPORT_ROW_FIELDS).toHaveLength(FIELD_COLUMNS.length);
    expect(exportRowSql('events')).toMatch(/^json_array\(events\.id, strftime\(/);
  });

  it('decodes (exportRowToEvent) to the event valuesToEvent reads, for any value the table holds', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 25 }).map(uniqueIds), (rows) => {
        const { streamed, decoded } = bothWays(storeRows(rows));
        expect(streamed).toEqual(decoded);
        // Byte for byte: the same keys in the same order.
        expect(streamed.map((event) => JSON.stringify(event))).toEqual(
          decoded.map((event) => JSON.stringify(event)),
        );
      }),
      { numRuns: 200, seed: 0x24 },
    );
  });

  it('holds the edges: the first and last millisecond of years 0000–9999, all-null parts, nested JSON', () => {
    const nulls = FIELD_COLUMNS.slice(4, 16).map(() => null);
    const orgId = storeRows([
      ['log_a', FIRST_MS, 'auth', 'user.login', ...nulls, null, null],
      ['log_b', LAST_MS, 'auth', 'user.login', ...nulls, '{}', '{"a":{"b":[1,{"c":null}]}}'],
      [
        'log_c',
        0,
        'x',
        'y',
        'd',
        null,
        null,
        null,
        'user',
        ...nulls.slice(5),
        '{"n":1e21}',
        '{"s":"\\u0000\\"\\\\"}',
      ],
      ['log_d', -1, 'x', 'y', ...nulls.slice(0, 8), '', null, null, null, null, null],
    ]);
    const { streamed, decoded } = bothWays(orgId);
    expect(streamed).toEqual(decoded);
    expect(streamed.map((event) => event.timestamp)).toEqual([
      '0000-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
    ]);
    expect(streamed[0]?.actor).toBeNull();
    expect(streamed[1]?.context).toEqual({
      ip_address: '',
      user_agent: null,
      team_id: null,
      team_name: null,
    });
  });

  it('keeps bytes that are not UTF-8 (a lone surrogate stored by another writer) the way valuesToEvent reads them', () => {
    const orgId = storeRows([]);
    // better-sqlite3 binds a JS string as valid UTF-8; the bytes of a lone surrogate come from SQL.
    db.prepare(
      `INSERT INTO events (org_id, received_at, id, ts, category, action, description)
       VALUES (?, 0, 'log_s', 0, 'auth', 'user.login', CAST(X'61EDA08062' AS TEXT))`,
    ).run(orgId);
    const { streamed, decoded } = bothWays(orgId);
    expect(streamed).toEqual(decoded);
    expect(streamed[0]?.description).toMatch(/^a\ufffd+b$/);
  });
});

describe('the chunk statement', () => {
  it('joins its rows in (ts, seq) order without sorting them again, when seq order is not time order', () => {
    const nulls = FIELD_COLUMNS.slice(4, 16).map(() => null);
    // Stored newest first: seq runs against ts, so rows visited in seq order would show.
    const times = [5000, 4000, 4000, 3000, 2000, 1000, 0];
    const orgId = storeRows(
      times.map((ts, index) => [`log_${index}`, ts, 'auth', 'user.login', ...nulls, null, null]),
    );
    const chunk = exportChunks.exportChunk(
      orgId,
      { detailed: true },
      { kind: 'organization' },
      {
        cursor: undefined,
        maxRows: 1000,
        maxBytes: 1 << 20,
      },
    );
    const rows = JSON.parse(`[${chunk.rows.toString('utf8')}]`) as string[][];
    expect(rows.map((values) => values[0])).toEqual([
      'log_6',
      'log_5',
      'log_4',
      'log_3',
      'log_1',
      'log_2',
      'log_0',
    ]);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN ${exportChunkSql('SELECT seq, ts, 0 AS size FROM events WHERE org_id = @orgId ORDER BY ts, seq')}`,
      )
      .all({ orgId, chunkRows: 10, chunkBytes: 10 })
      .map((step) => (step as { detail: string }).detail);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    expect(plan.indexOf('SCAN picked')).toBeLessThan(
      plan.findIndex((detail) => /^SEARCH events USING INTEGER PRIMARY KEY/.test(detail)),
    );
  });
});

function uniqueIds(rows: StoredValues[]): StoredValues[] {
  return rows.map((values, index) => [`${values[0]}#${index}`, ...values.slice(1)]);
}
