import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FTS_TOKEN_CATEGORIES } from '../../src/domain/free-text.js';
import { openDatabase } from '../../src/store/database.js';
import { createDirectoryStore } from '../../src/store/directory-store.js';
import { createEventRecorder } from '../../src/store/event-recorder.js';
import { createEventStore } from '../../src/store/event-store.js';
import { migrate, registerSearchFunctions } from '../../src/store/migrate.js';
import { loadMigrations, migrationChecksum } from '../../src/store/migrations.js';
import { createStores } from '../../src/store/stores.js';
import { schemaSnapshot } from '../helpers/schema-snapshot.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/migrations/${name}`, import.meta.url), 'utf8');

/** The pre-release chain, as that code ran it, up to (not including) `stopBefore`. */
const preReleaseChain = (stopBefore?: number) => {
  const sql = fixture('pre-squash-chain.sql');
  return stopBefore === undefined ? sql : sql.slice(0, sql.indexOf(`-- version ${stopBefore}:`));
};

describe('the schema', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-migrations-'));
    file = join(dir, 'audit.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A database file as the pre-release code left it, holding one event it recorded. */
  const preReleaseDatabase = (chain: string) => {
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.exec(chain);
    return raw;
  };

  const ledger = (db: Database.Database) =>
    db.prepare('SELECT version, name, applied_at AS appliedAt, sha256 FROM schema_migrations').all();

  /**
   * The committed snapshot of the initial schema with the objects of every later migration
   * added, in the snapshot's order (type, then name).
   */
  const expectedSchema = () => {
    const raw = new Database(':memory:');
    try {
      raw.exec(preReleaseChain());
      const before = new Set(schemaSnapshot(raw).split('\n'));
      registerSearchFunctions(raw);
      for (const migration of loadMigrations().slice(1)) raw.exec(migration.sql);
      const key = (line: string) => line.split(' on ')[0] as string;
      const added = schemaSnapshot(raw)
        .split('\n')
        .filter((line) => !before.has(line) && /^(table|index|trigger|view) /.test(line));
      // A later migration may replace an object of the initial schema (5: the full-text index).
      const replaced = new Set(added.map(key));
      const initial = fixture('pre-squash-schema.txt').split('\n');
      const objects = initial.filter(
        (line) => /^(table|index|trigger|view) /.test(line) && !replaced.has(key(line)),
      );
      const rest = initial.filter((line) => !/^(table|index|trigger|view) /.test(line));
      const sorted = [...objects, ...added].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      return [...sorted, ...rest].join('\n');
    } finally {
      raw.close();
    }
  };

  /** The ledger's rows for every migration after the initial one. */
  const laterMigrations = () =>
    loadMigrations()
      .slice(1)
      .map((migration) => ({
        version: migration.version,
        name: migration.name,
        appliedAt: expect.any(Number),
        sha256: migrationChecksum(migration),
      }));

  it('of a new database is the one the pre-release migration chain made (committed snapshot), then the later migrations', () => {
    const db = openDatabase(':memory:');
    try {
      expect(schemaSnapshot(db)).toBe(expectedSchema());
    } finally {
      db.close();
    }
  });

  it('is one migration file a version, numbered from 1, recorded with its SHA-256', () => {
    const migrations = loadMigrations();
    expect(migrations.map((migration) => migration.version)).toEqual(
      migrations.map((_migration, index) => index + 1),
    );
    expect(migrations[0]?.name).toBe('0001-initial.sql');
    const db = openDatabase(file);
    try {
      expect(ledger(db)).toEqual([
        {
          version: 1,
          name: '0001-initial.sql',
          appliedAt: expect.any(Number),
          sha256: migrationChecksum(migrations[0] as (typeof migrations)[0]),
        },
        ...laterMigrations(),
      ]);
    } finally {
      db.close();
    }
  });

  it('tokenizes full text with the categories the in-memory matcher uses (FTS_TOKEN_CATEGORIES), folding nothing itself', () => {
    const newest = loadMigrations()
      .filter((migration) => migration.sql.includes('CREATE VIRTUAL TABLE events_fts'))
      .at(-1);
    expect(newest?.sql).toContain(`remove_diacritics 0 categories ''${FTS_TOKEN_CATEGORIES}'''`);
  });

  it('of a database made by the pre-release chain is adopted as the initial migration, its events kept', () => {
    const raw = preReleaseDatabase(preReleaseChain());
    // The pre-release code's own stores: no tree yet (migration 2 adds it), no event counts (3).
    const stores = {
      directory: createDirectoryStore(raw, Date.now),
      recorder: createEventRecorder(createEventStore(raw, { eventCounts: false }), Date.now),
    };
    const org = stores.directory.ensureOrganization('default').organization.id;
    const [stored] = stores.recorder.record(org, [
      { action: 'deploy.finished', description: 'launch 🚀' },
    ]).stored;
    const firstApplied = raw.prepare('SELECT min(applied_at) FROM schema_migrations').pluck().get();
    raw.close();

    const db = openDatabase(file);
    try {
      expect(schemaSnapshot(db)).toBe(expectedSchema());
      expect(ledger(db)).toEqual([
        {
          version: 1,
          name: '0001-initial.sql',
          appliedAt: firstApplied,
          sha256: migrationChecksum(loadMigrations()[0] as ReturnType<typeof loadMigrations>[0]),
        },
        ...laterMigrations(),
      ]);
      const found = createStores(db).events.page(
        org,
        { text: '🚀', detailed: true },
        { kind: 'organization' },
        { order: 'desc', limit: 10 },
      );
      expect(found.events.map((event) => event.event.id)).toEqual([stored?.event.id]);
      // Migration 3 counted the event it found.
      expect(db.prepare('SELECT action, events FROM event_counts').all()).toEqual([
        { action: 'deploy.finished', events: 1 },
      ]);
      expect(migrate(db)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('of a development build that stopped short of the pre-release chain is refused, and left as it was', () => {
    preReleaseDatabase(preReleaseChain(13)).close();
    expect(() => openDatabase(file)).toThrow(
      `the database ${file} has schema versions 1, 2, 3, 4, 5, 7 of a development build, which this version cannot open`,
    );
    const raw = new Database(file);
    expect(raw.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(6);
    raw.close();
  });

  it('is refused when a recorded checksum is not the migration file’s (an edited file or database)', () => {
    openDatabase(file).close();
    const raw = new Database(file);
    raw.prepare("UPDATE schema_migrations SET sha256 = 'f00d' || substr(sha256, 5) WHERE version = 1").run();
    raw.close();
    expect(() => openDatabase(file)).toThrow(
      new RegExp(
        `^migration 0001-initial\\.sql is not the one applied to the database ${file} \\(SHA-256 [0-9a-f]{12}…, recorded f00d[0-9a-f]{8}…\\)$`,
      ),
    );
  });

  it('is refused when the database holds a migration this version does not have', () => {
    openDatabase(file).close();
    const raw = new Database(file);
    raw
      .prepare(
        "INSERT INTO schema_migrations (version, name, applied_at, sha256) VALUES (9999, '9999-from-the-future.sql', 0, 'ab')",
      )
      .run();
    raw.close();
    expect(() => openDatabase(file)).toThrow(
      `the database ${file} has migration 9999-from-the-future.sql, which this version does not have (a newer one made it)`,
    );
  });
});
