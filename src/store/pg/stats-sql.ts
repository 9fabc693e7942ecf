import type { EventFilter, VisibilityScope } from '../../domain/filters.js';
import { HOUR_MS } from '../../domain/stats-buckets.js';
import type { CountPlan } from '../stats-scan.js';
import { bucketSql, type CountPart, partColumns } from '../stats-sql.js';
import { buildEventWhere } from './event-query.js';

/**
 * src/store/stats-sql.ts, stats-scan.ts and stats-rollup.ts for PostgreSQL. The parts are built
 * in SQLite's named form (@name), so its bucket SQL, part columns and union are shared; the
 * filter's clauses come from PostgreSQL's own where (positional, renamed to @wN), and the whole
 * query is made positional at the end (toPositional).
 */

/** PostgreSQL's where for the filter, its $N placeholders renamed @wN into `params`. */
function namedWhere(
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  params: Record<string, unknown>,
): string {
  const where = buildEventWhere(orgId, filter, scope);
  where.params.forEach((value, index) => {
    params[`w${index + 1}`] = value;
  });
  return where.clauses.join(' AND ').replace(/\$(\d+)/g, (_match, n: string) => `@w${n}`);
}

/** scanPart on PostgreSQL: one row per matching event. */
export function pgScanPart(
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  plan: CountPlan,
): CountPart {
  const params: Record<string, unknown> = {};
  const where = namedWhere(orgId, filter, scope, params);
  const bucket = plan.unit ? bucketSql(plan.unit, plan.segments, 'ts', params) : null;
  return { sql: `SELECT ${partColumns(bucket, plan.keys)}, 1 AS n FROM events WHERE ${where}`, params };
}

/** rollupParts on PostgreSQL: whole hours from event_counts, the ragged ends from the events. */
export function pgRollupParts(
  orgId: number,
  filter: EventFilter & { from: number; toExclusive: number },
  plan: CountPlan,
): CountPart[] {
  const scope: VisibilityScope = { kind: 'organization' };
  const firstHour = Math.ceil(filter.from / HOUR_MS);
  const endHour = Math.floor(filter.toExclusive / HOUR_MS);
  if (firstHour >= endHour) return [pgScanPart(orgId, filter, scope, plan)];

  const { from, toExclusive, ...columns } = filter;
  const params: Record<string, unknown> = { firstHour, endHour };
  const where = namedWhere(orgId, columns, scope, params);
  const bucket = plan.unit ? bucketSql(plan.unit, plan.segments, `hour * ${HOUR_MS}`, params) : null;
  const sql = `SELECT ${partColumns(bucket, plan.keys)}, events AS n FROM event_counts
    WHERE ${where} AND hour >= @firstHour AND hour < @endHour`;
  const ragged = (start: number, end: number) =>
    start < end ? [pgScanPart(orgId, { ...filter, from: start, toExclusive: end }, scope, plan)] : [];
  return [...ragged(from, firstHour * HOUR_MS), { sql, params }, ...ragged(endHour * HOUR_MS, toExclusive)];
}

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
