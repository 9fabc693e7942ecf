import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { migrate, schemaVersion } from '../../src/store/migrate.js';
import { loadMigrations } from '../../src/store/migrations.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { inMaintenanceWindow } from '../../src/store/transaction.js';

const MIGRATIONS = loadMigrations();

describe('the store', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let stores: Stores;
  let orgId: number;

  const reopen = () => {
    db.close();
    db = openDatabase(file);
    stores = createStores(db);
  };

  const record = (inputs: EventInput[]) => stores.recorder.record(orgId, inputs).stored;

  const search = (text: string) =>
    stores.events
      .page(orgId, { text, detailed: true }, { kind: 'organization' }, { order: 'desc', limit: 100 })
      .events.map((stored) => stored.event.id);

  const open = () =>
    (db.prepare('SELECT open FROM maintenance_window WHERE id = 1').pluck().get() as number) ?? -1;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-store-'));
    file = join(dir, 'nested', 'audit.db');
    db = openDatabase(file);
    stores = createStores(db);
    orgId = stores.directory.ensureOrganization('default').organization.id;
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('openDatabase', () => {
    it('creates a new database and its WAL readable by the owner only, in a private directory', () => {
      record([{ action: 'user.login' }]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    });

    it('is durable: WAL journal, synchronous=FULL, foreign keys on', () => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
      // And it still is after reopening (WAL is persistent, the rest is per connection).
      reopen();
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
    });

    it('records the migrations it ran and does not run them again on reopening', () => {
      const rows = () =>
        db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
          version: number;
          name: string;
          applied_at: number;
        }[];
      const first = rows();
      expect(first.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
      expect(first[0]?.version).toBe(1);
      expect(schemaVersion(db)).toBe(Math.max(...MIGRATIONS.map((migration) => migration.version)));
      record([{ action: 'user.login' }]);
      reopen();
      // Same rows, same applied_at: version 1 was not re-run (it would also have failed on CREATE TABLE).
      expect(rows()).toEqual(first);
      expect(migrate(db)).toBe(0);
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    });

    it('runs a new migration once, in order, and records it', () => {
      const next = { version: 99, name: 'test column', sql: 'CREATE TABLE test_migration (x INTEGER);' };
      expect(migrate(db, [...MIGRATIONS, next])).toBe(1);
      expect(migrate(db, [...MIGRATIONS, next])).toBe(0);
      expect(schemaVersion(db)).toBe(99);
      const failing = { version: 100, name: 'broken', sql: 'CREATE TABLE test_migration (x INTEGER);' };
      expect(() => migrate(db, [...MIGRATIONS, next, failing])).toThrow();
      // A failed migration is rolled back and not recorded.
      expect(schemaVersion(db)).toBe(99);
    });
  });

  describe('events are append-only', () => {
    beforeEach(() => {
      record([{ action: 'user.login' }, { action: 'user.logout' }]);
    });

    it('refuses UPDATE and DELETE outside a maintenance window', () => {
      expect(() => db.prepare("UPDATE events SET action = 'x'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
      expect(db.prepare('SELECT action FROM events ORDER BY seq').pluck().all()).toEqual([
        'user.login',
        'user.logout',
      ]);
    });

    it('allows them inside inMaintenanceWindow, then closes the window again', () => {
      expect(open()).toBe(0);
      const changed = inMaintenanceWindow(db, () => {
        expect(open()).toBe(1);
        return db.prepare("UPDATE events SET action = 'x' WHERE action = 'user.login'").run().changes;
      });
      expect(changed).toBe(1);
      expect(open()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM events WHERE action = 'x'").pluck().get()).toBe(1);
      expect(() => db.prepare("UPDATE events SET action = 'y'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);

      inMaintenanceWindow(db, () => db.prepare("DELETE FROM events WHERE action = 'x'").run());
      expect(db.prepare('SELECT action FROM events').pluck().all()).toEqual(['user.logout']);
      expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    });

    it('closes the window (and undoes the work) when the work throws', () => {
      expect(() =>
        inMaintenanceWindow(db, () => {
          db.prepare('DELETE FROM events').run();
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(open()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2);
      expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    });

    it('stays closed for another connection to the same file', () => {
      const second = openDatabase(file);
      try {
        expect(() => second.prepare('DELETE FROM events').run()).toThrow(/append-only/);
      } finally {
        second.close();
      }
    });
  });

  describe('the full-text index', () => {
    it('follows inserts, updates in a maintenance window, and deletes', () => {
      const [kept, purged] = record([
        { action: 'tunnel.created', metadata: { note: 'quokka' }, timestamp: '2024-06-01T00:00:00Z' },
        {
          action: 'tunnel.deleted',
          actor: { name: 'Zebedee Xylophone' },
          metadata: { note: 'quokka wombat' },
          timestamp: '2020-01-01T00:00:00Z',
        },
      ]);
      expect(search('quokka').sort()).toEqual([kept?.event.id, purged?.event.id].sort());
      expect(search('wombat')).toEqual([purged?.event.id]);
      expect(search('zebedee')).toEqual([purged?.event.id]);

      // As GDPR erasure does: rewrite the actor's name (also in the description, which quotes it);
      // the old name must no longer be found.
      inMaintenanceWindow(db, () =>
        db
          .prepare(
            `UPDATE events SET actor_name = 'erased-user-00000000',
               description = replace(description, 'Zebedee Xylophone', 'erased-user-00000000') WHERE seq = ?`,
          )
          .run(purged?.seq),
      );
      expect(db.prepare('SELECT description FROM events WHERE seq = ?').pluck().get(purged?.seq)).not.toMatch(
        /Zebedee/,
      );
      expect(search('zebedee')).toEqual([]);
      expect(search('erased')).toEqual([purged?.event.id]);

      // The retention purge deletes the old one; the index forgets it.
      expect(stores.events.purgeBefore(orgId, Date.parse('2021-01-01T00:00:00Z'))).toBe(1);
      expect(search('wombat')).toEqual([]);
      expect(search('erased')).toEqual([]);
      expect(search('quokka')).toEqual([kept?.event.id]);
      expect(
        db.prepare("SELECT rowid FROM events_fts WHERE events_fts MATCH 'wombat'").pluck().all(),
      ).toEqual([]);
    });
    it('finds emoji and other symbols', () => {
      const [rocket] = record([
        { action: 'deploy.finished', description: 'shipped 🚀', metadata: { mood: '🎉' } },
      ]);
      expect(search('🚀')).toEqual([rocket?.event.id]);
      expect(search('🎉')).toEqual([rocket?.event.id]);
      expect(search('!!!')).toEqual([]);
    });
  });

  describe('sequence numbers', () => {
    it('are never reused after the newest event is deleted, even across reopening', () => {
      const stored = record([{ action: 'user.login' }, { action: 'user.login' }, { action: 'user.logout' }]);
      const newest = stored.at(-1)?.seq as number;
      expect(stored.map((event) => event.seq)).toEqual([newest - 2, newest - 1, newest]);
      inMaintenanceWindow(db, () => db.prepare('DELETE FROM events WHERE seq = ?').run(newest));
      const [next] = record([{ action: 'user.login' }]);
      expect(next?.seq).toBeGreaterThan(newest);

      inMaintenanceWindow(db, () => db.prepare('DELETE FROM events WHERE seq = ?').run(next?.seq));
      reopen();
      const [afterReopen] = record([{ action: 'user.login' }]);
      expect(afterReopen?.seq).toBeGreaterThan(next?.seq as number);
    });

    it('order events by ingest, and a duplicate id is stored once', () => {
      const id = 'log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E';
      const first = stores.recorder.record(orgId, [{ id, action: 'user.login' }]);
      const again = stores.recorder.record(orgId, [{ id, action: 'user.logout' }]);
      expect(first.created).toBe(1);
      expect(again.created).toBe(0);
      expect(again.stored[0]?.seq).toBe(first.stored[0]?.seq);
      expect(again.stored[0]?.event.action).toBe('user.login');
      expect(db.prepare('SELECT count(*) FROM events WHERE id = ?').pluck().get(id)).toBe(1);
    });
  });
});
