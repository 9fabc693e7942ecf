import { indexedText, metadataSearchText } from '../domain/free-text.js';
import type { Db } from './database.js';
import {
  assertUnchanged,
  createLedger,
  type LedgerRow,
  loadMigrations,
  type Migration,
  migrationChecksum,
} from './migrations.js';
import { adoptPreReleaseLedger, hasPreReleaseLedger } from './pre-release-schema.js';

/**
 * Brings the database to the newest schema and returns how many migrations ran. Before any runs,
 * every recorded one must be a file this code has, unchanged: a database whose schema came from
 * other SQL (an edited file, a newer version) is refused rather than served or migrated further.
 */
export function migrate(db: Db, migrations: readonly Migration[] = loadMigrations()): number {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  // Migration 5 fills the full-text index with them, and its trigger calls them on erasure.
  registerSearchFunctions(db);
  if (hasPreReleaseLedger(db) && ordered[0]) adoptPreReleaseLedger(db, ordered[0]);
  // Another process (a server starting, an admin command) may open the same new file at once:
  // the ledger is made, and each migration checked against it, under the write lock.
  db.transaction(() => createLedger(db)).immediate();
  const readRecorded = db.prepare('SELECT version, name, sha256 FROM schema_migrations ORDER BY version');
  for (const row of readRecorded.all() as LedgerRow[])
    assertUnchanged(`the database ${db.name}`, row, ordered);
  const recordedRow = db.prepare('SELECT version, name, sha256 FROM schema_migrations WHERE version = ?');
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at, sha256) VALUES (?, ?, ?, ?)',
  );
  let count = 0;
  for (const migration of ordered) {
    const ran = db
      .transaction(() => {
        const recorded = recordedRow.get(migration.version) as LedgerRow | undefined;
        if (recorded) {
          assertUnchanged(`the database ${db.name}`, recorded, ordered);
          return false;
        }
        db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now(), migrationChecksum(migration));
        return true;
      })
      .immediate();
    if (ran) count++;
  }
  return count;
}

export function schemaVersion(db: Db): number {
  return Number(db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck().get());
}

/**
 * The SQL functions that give the full-text index an event's fields as ingest gives them from
 * JS (domain/free-text.ts indexedText, metadataSearchText): migration 5 re-indexes every event
 * with them, and its trigger re-indexes each event that GDPR erasure changes. Registered on
 * every connection that migrates, so every connection that may change events has them.
 */
export function registerSearchFunctions(db: Db): void {
  db.function('audit_index_text', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? indexedText(text) : null,
  );
  db.function('audit_index_metadata', { deterministic: true }, (json: unknown) =>
    typeof json === 'string' ? indexedText(metadataSearchText(JSON.parse(json))) : null,
  );
}
