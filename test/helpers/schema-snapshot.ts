import type { Db } from '../../src/store/database.js';

/** A statement as SQLite keeps it, without comments and with whitespace made canonical. */
function normalize(sql: string | null): string {
  return (sql ?? '')
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .trim();
}

/**
 * Everything the schema is, as text to compare: every table, index, trigger and virtual table
 * (FTS shadow tables included) from sqlite_master, and the rows the schema itself puts in
 * (settings keys, the maintenance window, the FTS options). The migration bookkeeping and the
 * random keys' values are left out: they differ between two databases of the same schema.
 */
export function schemaSnapshot(db: Db): string {
  const objects = db
    .prepare(
      `SELECT type, name, tbl_name AS tableName, sql FROM sqlite_master
       WHERE name <> 'schema_migrations' ORDER BY type, name`,
    )
    .all() as { type: string; name: string; tableName: string; sql: string | null }[];
  const settings = db
    .prepare(
      `SELECT key, CASE WHEN key LIKE '%_limit' THEN value ELSE length(value) END AS value
       FROM server_settings ORDER BY key`,
    )
    .all() as { key: string; value: unknown }[];
  const window = db.prepare('SELECT id, open FROM maintenance_window ORDER BY id').all();
  const ftsConfig = db.prepare('SELECT k, v FROM events_fts_config ORDER BY k').all();
  return [
    ...objects.map((row) => `${row.type} ${row.name} on ${row.tableName}: ${normalize(row.sql)}`),
    `server_settings: ${JSON.stringify(settings)}`,
    `maintenance_window: ${JSON.stringify(window)}`,
    `events_fts_config: ${JSON.stringify(ftsConfig)}`,
    '',
  ].join('\n');
}
