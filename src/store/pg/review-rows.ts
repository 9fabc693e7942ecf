import { type ReviewRow, reviewRowOf } from '../review-queries.js';
import type { Queryable } from './pool.js';
import { toPositional } from './stats-sql.js';
import { escapeNullable, escapeText, unescapeText } from './text-escape.js';

/**
 * How the review's PostgreSQL queries run and read: SQL with @names made positional
 * (toPositional: integers bound as bigint), rows as arrays; text in and out through
 * text-escape.ts, as the events' text columns hold it.
 */
export type PgRows = (sql: string, params: Record<string, unknown>) => Promise<unknown[][]>;

export function pgRowsOf(db: Queryable): PgRows {
  return async (sql, params) => {
    const { text, values } = toPositional(sql, params);
    return (await db.query<unknown[]>({ text, values, rowMode: 'array' })).rows;
  };
}

/** The text columns of ROW_COLUMNS: all but seq and ts. */
const TEXT_COLUMNS = [1, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/**
 * A row of ROW_COLUMNS and a detail as PostgreSQL returns it → the ReviewRow. `detailIsText`:
 * the detail is stored text too (a burst's key), not a JSON read.
 */
export function pgReviewRow(values: unknown[], detailIsText = false): ReviewRow {
  for (const index of detailIsText ? [...TEXT_COLUMNS, 12] : TEXT_COLUMNS) {
    const value = values[index];
    if (typeof value === 'string') values[index] = unescapeText(value);
  }
  return reviewRowOf(values);
}

/** A stored text column's value (escaped), or null. */
export const stored = (text: string | null): string | null => escapeNullable(text);

/** Values for an `= ANY(@name::text[])`, escaped. */
export const storedList = (texts: readonly string[]): string[] => texts.map(escapeText);

/** A value read from a text column (unescaped), or null. */
export const sent = (value: unknown): string | null =>
  typeof value === 'string' ? unescapeText(value) : null;
