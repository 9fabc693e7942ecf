import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { createEventScan } from '../../src/gdpr/event-scan.js';
import { createStores, type Stores } from '../../src/server/services.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { FIELD_COLUMNS, POSITION_COLUMNS, SEARCHED_COLUMNS } from '../../src/store/event-columns.js';
import { type EventRow, rowToEvent, rowToStoredEvent } from '../../src/store/event-rows.js';

// event-columns.ts is the one description of the events table: the INSERT, the decoder and the
// JSON SQLite builds are made from it. These tests hold it to the table the migrations create
// and every read path to the others, so a column added in one place and not another fails here.
describe('the events column specification', () => {
  let dir: string;
  let db: Db;
  let stores: Stores;
  let orgId: number;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-event-columns-'));
    db = openDatabase(join(dir, 'audit.db'));
    stores = createStores(db);
    orgId = stores.directory.ensureOrganization('default').organization.id;
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

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
    expect(indexed).toContain(`new.seq, ${SEARCHED_COLUMNS.map((c) => `new.${c}`).join(', ')},`);
  });

  it('gives an event with every field back, to the byte, from every read path', () => {
    const input: EventInput = {
      id: 'evt_every_field',
      timestamp: '2024-02-29T23:59:59.999Z',
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
    const filter = { detailed: true };
    const byTime = { order: 'desc', limit: 1 } as const;
    const byPosition = { afterSeq: stored.seq - 1, limit: 1 };
    const scan = createEventScan(db);
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
      'GDPR scan': JSON.stringify([...scan.all(orgId)].find((s) => s.seq === stored.seq)?.event),
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
