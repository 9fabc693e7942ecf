import type { AuditEvent } from '../domain/event.js';
import { FIELD_COLUMNS } from './event-columns.js';
import { eventToFieldValues } from './event-rows.js';

/**
 * What the GDPR store's SQL is made of on both engines: its record types, the columns an
 * erasure's rewrite sets, and the directory statements, written once with numbered parameters
 * ($1, $2) and a fold for the columns SQLite compares NOCASE (PostgreSQL: ascii_fold).
 */

/** An event as JSON text made by the database or the one encoder, with what a summary of it counts. */
export interface EventJson {
  json: string;
  category: string;
  ts: number;
}

/** A directory account of the organization, as an erasure request may name it. */
export interface GdprAccount {
  id: number;
  publicId: string;
  email: string;
  name: string;
}

/** The free-text columns of an organization's directory and webhook tables an erasure rewrites. */
export const FREE_TEXT_COLUMNS = [
  'organization name',
  'token name',
  'webhook description',
  'delivery error',
] as const;
export type FreeTextColumn = (typeof FREE_TEXT_COLUMNS)[number];

/** One value of a free-text column, and which row it is. */
export interface FreeText {
  column: FreeTextColumn;
  id: number;
  value: string;
}

/** A team of the organization, as an erasure may rename it. */
export interface GdprTeam {
  id: number;
  publicId: string;
  name: string;
}

/** One column an erasure sets: its name and its new value as eventToFieldValues gives it. */
export interface ChangedColumn {
  name: string;
  value: unknown;
}

/**
 * The columns whose value differs between `before` and `after`: setting a column rewrites every
 * index that holds it, even to the same value, so an erasure sets only what it changes.
 */
export function changedColumns(before: AuditEvent, after: AuditEvent): ChangedColumn[] {
  const old = eventToFieldValues(before);
  const row = eventToFieldValues(after);
  return FIELD_COLUMNS.flatMap((column, index) =>
    row[index] !== old[index] ? [{ name: column.name, value: row[index] }] : [],
  );
}

/** How the directory's statements compare a NOCASE column: SQLite's collation, PostgreSQL's ascii_fold. */
export type Fold = (expression: string) => string;

/**
 * The directory statements of an erasure. Parameters are numbered in the order they are bound;
 * SQLite binds them positionally (sqlitePlaceholders).
 */
export function gdprDirectorySql(fold: Fold) {
  return {
    accounts: 'SELECT id, public_id AS "publicId", email, name FROM users WHERE org_id = $1 ORDER BY id',
    emailTaken: `SELECT 1 FROM users WHERE org_id = $1 AND ${fold('email')} = ${fold('$2')} AND id <> $3`,
    eraseAccount: 'UPDATE users SET email = $1, name = $2 WHERE id = $3',
    revokeTokens: 'UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL',
    teams: 'SELECT id, public_id AS "publicId", name FROM teams WHERE org_id = $1 ORDER BY id',
    teamTaken: `SELECT 1 FROM teams WHERE org_id = $1 AND ${fold('name')} = ${fold('$2')} AND id <> $3`,
    renameTeam: 'UPDATE teams SET name = $1 WHERE id = $2',
    /** Each free-text column: its values of one organization ($1), and the rewrite of one (value, id). */
    freeText: {
      'organization name': {
        rows: 'SELECT id, name AS value FROM organizations WHERE id = $1',
        write: 'UPDATE organizations SET name = $1 WHERE id = $2',
      },
      'token name': {
        rows: `SELECT k.id, k.name AS value FROM api_tokens k JOIN users u ON u.id = k.user_id
          WHERE u.org_id = $1 AND k.name IS NOT NULL ORDER BY k.id`,
        write: 'UPDATE api_tokens SET name = $1 WHERE id = $2',
      },
      'webhook description': {
        rows: 'SELECT id, description AS value FROM webhooks WHERE org_id = $1 AND description IS NOT NULL ORDER BY id',
        write: 'UPDATE webhooks SET description = $1 WHERE id = $2',
      },
      'delivery error': {
        rows: `SELECT d.id, d.last_error AS value FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
          WHERE w.org_id = $1 AND d.last_error IS NOT NULL ORDER BY d.id`,
        write: 'UPDATE webhook_deliveries SET last_error = $1 WHERE id = $2',
      },
    } satisfies Record<FreeTextColumn, { rows: string; write: string }>,
  };
}

/** A statement of gdprDirectorySql for SQLite: its parameters are bound in order, so `?`. */
export function sqlitePlaceholders(sql: string): string {
  return sql.replace(/\$\d+/g, '?');
}
