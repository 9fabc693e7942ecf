import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { eventPages } from '../../src/gdpr/event-scan.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { FIELD_COLUMNS, POSITION_COLUMNS, SEARCHED_COLUMNS } from '../../src/store/event-columns.js';
import { type EventRow, rowToEvent, rowToStoredEvent } from '../../src/store/event-rows.js';
import { sqliteEngineOf } from '../../src/store/sqlite-engine.js';
import { createStores, type Stores } from '../../src/store/stores.js';

// The list API sends pages as JSON text made by SQLite (EVENT_JSON); everything else reads rows
// into objects (rowToEvent). The two must be the same event, to the byte: the same keys in the
// same order, the same escapes, the same times.
let dir: string;
let db: Db;
let stores: Stores;
let orgId: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-event-json-'));
  db = openDatabase(join(dir, 'audit.db'));
  stores = createStores(db);
  orgId = stores.directory.ensureOrganization('default').organization.id;
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('EVENT_JSON, the JSON SQLite makes of a stored event', () => {
  /** Stores the events, then reads the newest `count` both ways. */
  const bothWays = (inputs: EventInput[]) => {
    stores.recorder.record(orgId, inputs);
    const request = { order: 'desc', limit: inputs.length } as const;
    const scope = { kind: 'organization' } as const;
    const objects = stores.events.page(orgId, { detailed: true }, scope, request).events.map((s) => s.event);
    const texts = stores.events.pageJson(orgId, { detailed: true }, scope, request).events;
    return { objects, texts };
  };

  it('gives byte for byte what JSON.stringify gives of the event read as an object', () => {
    const inputs: EventInput[] = [
      { action: 'user.login' },
      { action: 'user.login', timestamp: '1970-01-01T00:00:00Z', actor: { id: 'u1' } },
      { action: 'user.login', timestamp: '2001-09-09T01:46:40.001Z', actor: { email: 'a@example.com' } },
      { action: 'user.login', timestamp: '2024-02-29T23:59:59.999+05:30', context: { team_name: 'Ops' } },
      {
        action: 'tunnel.deleted',
        description: 'quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007 del \u007f',
        actor: { id: 'u2', name: 'Zoë 山田 👩‍💻', email: 'zoe@example.com', type: 'user' },
        target: { type: 'tunnel', id: 't1', name: '\u202eevil\u2028line\u2029' },
        context: { ip_address: '2001:db8::1', user_agent: 'curl/8', team_id: 'team_1', team_name: 'Ops' },
        changes: { role: { old: 'member', new: 'admin' }, list: [1, 'two', null, true, { deep: [] }] },
        metadata: { big: 1e21, small: 1e-7, neg: -0.5, int: 9007199254740991, empty: {}, text: '\u001b[31m' },
      },
    ];
    const { objects, texts } = bothWays(inputs);
    expect(texts).toHaveLength(inputs.length);
    for (const [index, text] of texts.entries()) expect(text).toBe(JSON.stringify(objects[index]));
  });

  it('agrees with the object reading for any event a sender may post', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
    const event = fc.record(
      {
        action: fc.constantFrom('user.login', 'tunnel.deleted', 'billing.plan_changed'),
        timestamp: fc
          .integer({ min: 0, max: Date.parse('2026-01-01T00:00:00Z') })
          .map((ms) => new Date(ms).toISOString()),
        description: text,
        actor: optional(fc.record({ id: optional(text), name: optional(text), email: optional(text) })),
        target: optional(fc.record({ type: optional(text), id: optional(text), name: optional(text) })),
        context: optional(fc.record({ ip_address: optional(text), team_name: optional(text) })),
        metadata: optional(fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 })),
      },
      { requiredKeys: ['action'] },
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 20 }), (inputs) => {
        const { objects, texts } = bothWays(inputs as EventInput[]);
        for (const [index, json] of texts.entries()) expect(json).toBe(JSON.stringify(objects[index]));
      }),
      { numRuns: 150, seed: 0x150 },
    );
  });
});

// event-columns.ts is the one description of the events table: the INSERT, the decoder and the
// JSON SQLite builds are made from it. These tests hold it to the table the migrations create
// and every read path to the others, so a column added in one place and not another fails here.
describe('the events column specification', () => {
  it('lists every column of the events table, with its type and nullability, as SQLite reports it', () => {
    const table = db.prepare('PRAGMA table_info(events)').all() as {
      name: string;
      type: string;
      notnull: number;
    }[];
    const described = [...POSITION_COLUMNS, ...FIELD_COLUMNS].map(({ name, type, notNull }) => ({
      name,
      type,
      notNull,
    }));
    const actual = table.map(({ name, type, notnull }) => ({ name, type, notNull: notnull === 1 }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(described.sort(byName)).toEqual(actual.sort(byName));
  });

  it('indexes for search the columns the full-text table and its update trigger hold', () => {
    const ftsColumns = (db.prepare('PRAGMA table_info(events_fts)').all() as { name: string }[]).map(
      (column) => column.name,
    );
    expect(ftsColumns).toEqual([...SEARCHED_COLUMNS, 'metadata_values']);
    const trigger = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_fts_update'")
      .pluck()
      .get() as string;
    const indexed = (trigger.match(/VALUES \((.*)\);/s)?.[1] ?? '').replace(/\s+/g, ' ');
    expect(indexed).toContain(
      `new.seq, ${SEARCHED_COLUMNS.map((c) => `audit_index_text(new.${c})`).join(', ')}, audit_index_metadata(new.metadata)`,
    );
  });

  it('gives an event with every field back, to the byte, from every read path', async () => {
    const input: EventInput = {
      id: 'evt_every_field',
      timestamp: '1999-02-28T23:59:59.999Z',
      category: 'security',
      action: 'tunnel.deleted',
      description: 'quote " backslash \\ newline \n and 👩‍💻',
      actor: { id: 'u1', name: 'Zoë 山田', email: 'zoe@example.com', type: 'user' },
      target: { type: 'tunnel', id: 't1', name: '\u202eevil' },
      context: { ip_address: '2001:db8::1', user_agent: 'curl/8', team_id: 'team_1', team_name: 'Ops' },
      changes: { role: { old: 'member', new: 'admin' } },
      metadata: { big: 1e21, list: [1, 'two', null, true] },
    };
    const [stored] = stores.recorder.record(orgId, [input]).stored;
    if (!stored) throw new Error('not stored');
    const expected = JSON.stringify(stored.event);

    // The event reaches every column: a column the specification gained and this event lacks fails.
    const row = db.prepare('SELECT * FROM events WHERE seq = ?').get(stored.seq) as EventRow;
    expect(Object.entries(row).filter(([, value]) => value === null)).toEqual([]);

    const scope = { kind: 'organization' } as const;
    const at = Date.parse('1999-02-28T23:59:59.999Z');
    const filter = { detailed: true, from: at, toExclusive: at + 1 };
    const byTime = { order: 'desc', limit: 1 } as const;
    const byPosition = { afterSeq: stored.seq - 1, limit: 1 };
    const scanned = [];
    for await (const page of eventPages(sqliteEngineOf(db).stores.gdpr, orgId, { inWrite: false }))
      scanned.push(...page);
    const reads: Record<string, string | undefined> = {
      'page in time order': JSON.stringify(stores.events.page(orgId, filter, scope, byTime).events[0]?.event),
      'page after a position': JSON.stringify(
        stores.events.page(orgId, filter, scope, byPosition).events[0]?.event,
      ),
      'JSON page in time order': stores.events.pageJson(orgId, filter, scope, byTime).events[0],
      'JSON page after a position': stores.events.pageJson(orgId, filter, scope, byPosition).events[0],
      'by id': JSON.stringify(stores.events.findById(orgId, 'evt_every_field')?.event),
      'visible by id': JSON.stringify(stores.events.findVisible(orgId, 'evt_every_field', scope)?.event),
      'follower hub': JSON.stringify(stores.events.readFrom(stored.seq - 1, 1)[0]?.event),
      'GDPR scan': JSON.stringify(scanned.find((s) => s.seq === stored.seq)?.event),
      'a row read by name': JSON.stringify(rowToEvent(row)),
      'a stored row read by name': JSON.stringify(rowToStoredEvent(row).event),
    };
    for (const [path, json] of Object.entries(reads))
      expect({ path, json }).toEqual({ path, json: expected });
    expect(rowToStoredEvent(row)).toEqual(stored);
    // A second ingest of the same id answers the stored event, read back through the decoder.
    expect(JSON.stringify(stores.recorder.record(orgId, [input]).stored[0]?.event)).toBe(expected);
  });
});
