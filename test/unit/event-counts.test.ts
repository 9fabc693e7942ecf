import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { eraseSubject } from '../../src/gdpr/erasure.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { COUNT_NEW_EVENTS_SQL } from '../../src/store/event-rows.js';
import { migrate } from '../../src/store/migrate.js';
import { loadMigrations } from '../../src/store/migrations.js';
import { createSqliteEngine } from '../../src/store/sqlite-engine.js';
import { createServerStores } from '../../src/store/sqlite-server-stores.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { inMaintenanceWindow } from '../../src/store/transaction.js';
import { createWriteGate } from '../../src/store/write-gate.js';

const HOUR = 3_600_000;

/** event_counts as it is, and as it should be: the events counted by org, UTC hour, category, action. */
const rollup = (db: Db) =>
  db.prepare('SELECT org_id, hour, category, action, events FROM event_counts ORDER BY 1, 2, 3, 4').all();
const recount = (db: Db) =>
  db
    .prepare(
      `SELECT org_id, CASE WHEN ts >= 0 THEN ts / ${HOUR} ELSE (ts - ${HOUR - 1}) / ${HOUR} END AS hour,
         category, action, count(*) AS events
       FROM events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    )
    .all();

describe('event_counts (migration 3)', () => {
  let db: Db;
  let stores: Stores;
  let org: number;
  let other: number;
  const now = Date.parse('2024-06-01T00:00:00Z');

  beforeEach(() => {
    db = openDatabase(':memory:');
    stores = createStores(db, () => now);
    org = stores.directory.ensureOrganization('default').organization.id;
    other = stores.directory.ensureOrganization('other').organization.id;
  });
  afterEach(() => db.close());

  const events = (count: number, start: number, actor = 'mia@example.com'): EventInput[] =>
    Array.from({ length: count }, (_, i) => ({
      action: ['user.login', 'user.login_failed', 'tunnel.deleted', 'access.page_viewed'][i % 4] as string,
      timestamp: new Date(start + i * 977_777).toISOString(),
      actor: { email: i % 3 === 0 ? actor : 'sam@example.com' },
    }));

  it('counts every stored event by hour, category and action after ingest, duplicates not again', () => {
    const batch = events(200, Date.parse('2024-03-30T00:00:00Z'));
    stores.recorder.record(org, batch);
    stores.recorder.record(other, events(30, Date.parse('2024-03-30T00:00:00Z')));
    const ids = stores.events.page(
      org,
      { detailed: true },
      { kind: 'organization' },
      { order: 'asc', limit: 5 },
    );
    // Sent again with the ids already stored: skipped, not counted twice.
    stores.recorder.record(
      org,
      ids.events.map((stored) => ({ ...stored.event, id: stored.event.id }) as EventInput),
    );
    expect(rollup(db)).toEqual(recount(db));
    expect(db.prepare('SELECT sum(events) FROM event_counts').pluck().get()).toBe(230);
  });

  it('counts times before 1970 (ingest refuses them, an older file may hold them) in their hour: floor, not truncation', () => {
    const raw = new Database(':memory:');
    try {
      // A database of migrations 1 and 2 holding such events; then migration 3 counts them.
      migrate(raw, loadMigrations().slice(0, 2));
      raw.exec("INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'default', 'Default', 0)");
      const insert = raw.prepare(
        "INSERT INTO events (org_id, id, ts, received_at, category, action) VALUES (1, ?, ?, 0, 'auth', 'user.login')",
      );
      insert.run('evt_before', -1);
      insert.run('evt_epoch', 0);
      migrate(raw);
      expect(rollup(raw)).toEqual(recount(raw));
      // And ingest's own statement, for an event stored after the migration.
      const { lastInsertRowid } = insert.run('evt_long_before', -3_600_001);
      raw.prepare(COUNT_NEW_EVENTS_SQL).run(lastInsertRowid);
      expect(rollup(raw)).toEqual(recount(raw));
      expect(raw.prepare('SELECT hour FROM event_counts ORDER BY hour').pluck().all()).toEqual([-2, -1, 0]);
    } finally {
      raw.close();
    }
  });

  it('stays equal to the events after a retention purge, and drops rows that reach zero', () => {
    stores.recorder.record(org, events(300, Date.parse('2024-03-01T00:00:00Z')));
    const purged = stores.events.purgeBefore(org, Date.parse('2024-03-02T12:34:56Z'));
    expect(purged).toBeGreaterThan(0);
    expect(rollup(db)).toEqual(recount(db));
    expect(db.prepare('SELECT count(*) FROM event_counts WHERE events <= 0').pluck().get()).toBe(0);
  });

  it('stays equal to the events after a GDPR erasure, and when a stored time or action is rewritten', async () => {
    stores.recorder.record(org, events(120, Date.parse('2024-04-01T00:00:00Z')));
    // The server's stores made up front: an erasure's write may await nothing else.
    const engine = createSqliteEngine(stores, createWriteGate(db), createServerStores(stores));
    const report = await engine.write((tx) => eraseSubject(tx.gdpr, org, { user: 'mia@example.com' }, now));
    expect(report.eventsChanged).toBeGreaterThan(0);
    expect(rollup(db)).toEqual(recount(db));
    inMaintenanceWindow(db, () => {
      db.prepare("UPDATE events SET ts = ts + 7200000, action = 'user.logout' WHERE seq % 5 = 0").run();
      db.prepare("UPDATE events SET category = 'security' WHERE seq % 7 = 0").run();
    });
    expect(rollup(db)).toEqual(recount(db));
  });
});
