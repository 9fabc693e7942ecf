import type { NamedWhere } from '../stats-scan.js';
import { buildEventWhere } from './event-query.js';

/**
 * src/store/stats-sql.ts for PostgreSQL. The counting parts are built in SQLite's named form
 * (@name) by stats-scan.ts and stats-rollup.ts, so the bucket SQL, part columns and union are
 * shared; the filter's clauses come from PostgreSQL's own where (positional, renamed to @wN), and
 * the whole query is made positional at the end (toPositional).
 */

/** PostgreSQL's where for the filter, its $N placeholders renamed @wN into `params`. */
export const pgNamedWhere: NamedWhere = (orgId, filter, scope, params) => {
  const where = buildEventWhere(orgId, filter, scope);
  where.params.forEach((value, index) => {
    params[`w${index + 1}`] = value;
  });
  return where.clauses.join(' AND ').replace(/\$(\d+)/g, (_match, n: string) => `@w${n}`);
};

const keyColumns = (count: number) => Array.from({ length: count }, (_key, index) => `k${index}`);

/** As SQLite's keyId: 'n' for null, else 't' and the hex of the key's UTF-8 bytes. */
const keyId = (column: string) =>
  `CASE WHEN ${column} IS NULL THEN 'n' ELSE 't' || encode(convert_to(${column}, 'UTF8'), 'hex') END`;

/** rankingSql: by count descending, then the keys in byte order ("C"), null last. */
export function pgRankingSql(source: string, keyCount: number): string {
  const keys = keyColumns(keyCount);
  return `SELECT ${keys.map(keyId).join(', ')}, ${keys.join(', ')}, sum(n)::bigint FROM ${source} AS s
    GROUP BY ${keys.join(', ')} HAVING sum(n) > 0
    ORDER BY sum(n) DESC, ${keys.map((key) => `${key} COLLATE "C" NULLS LAST`).join(', ')}
    LIMIT @statsKeep`;
}

export function pgBucketTotalsSql(source: string): string {
  return `SELECT b, sum(n)::bigint FROM ${source} AS s GROUP BY b`;
}

/** keptByBucketSql: @statsKept is the JSON array of the kept series' identities. */
export function pgKeptByBucketSql(source: string, keyCount: number): string {
  const keys = keyColumns(keyCount);
  const ids = keys.map(keyId);
  const listed = keys.map((_key, index) => `kept ->> ${index}`).join(', ');
  const match = `(${ids.join(', ')}) IN (SELECT ${listed} FROM jsonb_array_elements(@statsKept::jsonb) AS kept)`;
  return `SELECT b, ${ids.join(', ')}, sum(n)::bigint FROM ${source} AS s WHERE ${match} GROUP BY b, ${keys.join(', ')}`;
}

/**
 * A query of @names made positional: each name one $N (bound once however often it appears);
 * integers typed bigint, as pg binds every value as text and SQLite's integer arithmetic on
 * them (the buckets' division) must stay integer.
 */
export function toPositional(
  sql: string,
  named: Record<string, unknown>,
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const placed = new Map<string, string>();
  const text = sql.replace(/@(\w+)/g, (_match, name: string) => {
    const known = placed.get(name);
    if (known) return known;
    if (!Object.hasOwn(named, name)) throw new Error(`the query has no value for @${name}`);
    const value = named[name];
    values.push(typeof value === 'bigint' ? value.toString() : value);
    const integer = typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
    const placeholder = `$${values.length}${integer ? '::bigint' : ''}`;
    placed.set(name, placeholder);
    return placeholder;
  });
  return { text, values };
}
