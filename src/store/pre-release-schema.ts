import type { Db } from './database.js';
import { createLedger, type Migration, migrationChecksum, SchemaMismatchError } from './migrations.js';

/**
 * The versions the development builds recorded, without checksums, before their chain was
 * squashed into 0001-initial.sql; all of them together made exactly the schema that file makes
 * (test/unit/migrations.test.ts compares both against a snapshot taken from that chain).
 */
const PRE_RELEASE_CHAIN = [1, 2, 3, 4, 5, 7, 13];

/** True when `schema_migrations` is the development builds' ledger (it has no checksum column). */
export function hasPreReleaseLedger(db: Db): boolean {
  const columns = db.prepare("SELECT name FROM pragma_table_info('schema_migrations')").pluck().all();
  return columns.length > 0 && !columns.includes('sha256');
}

/**
 * Rewrites a development build's ledger, in one transaction, as the squashed initial migration
 * applied when that chain was: its schema is already in place, so nothing else changes. A chain
 * that stopped short has no schema any release makes, and is refused.
 */
export function adoptPreReleaseLedger(db: Db, initial: Migration): void {
  db.transaction(() => {
    // Another process opening the same file may have adopted it since it was looked at.
    if (!hasPreReleaseLedger(db)) return;
    const rows = db
      .prepare('SELECT version, applied_at AS appliedAt FROM schema_migrations ORDER BY version')
      .all() as { version: number; appliedAt: number }[];
    const versions = rows.map((row) => row.version);
    if (versions.length === 0) {
      throw new SchemaMismatchError(
        `the database ${db.name} was left by a development build stopped before its first migration, which this version cannot open`,
      );
    }
    if (versions.join() !== PRE_RELEASE_CHAIN.join()) {
      throw new SchemaMismatchError(
        `the database ${db.name} has schema versions ${versions.join(', ')} of a development build, which this version cannot open`,
      );
    }
    db.exec('DROP TABLE schema_migrations');
    createLedger(db);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at, sha256) VALUES (?, ?, ?, ?)').run(
      initial.version,
      initial.name,
      rows[0]?.appliedAt,
      migrationChecksum(initial),
    );
  }).immediate();
}
