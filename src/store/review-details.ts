/**
 * What a review rule reads beyond an event's columns, by name (review-queries.ts `Detail`): a
 * value at a JSON path of `changes` or `metadata`, or its JSON type. One description, from which
 * each engine builds its SQL (SQLite here, PostgreSQL in pg/review-details.ts): fixed paths,
 * never caller text.
 */
export interface JsonPath {
  column: 'changes' | 'metadata';
  keys: readonly string[];
}

export interface DetailSpec {
  /** `value`: SQLite's json_extract (first path that has a non-null value); `type`: json_type. */
  read: 'value' | 'type';
  paths: readonly JsonPath[];
}

export const DETAIL_SPECS = {
  none: { read: 'value', paths: [] },
  newRole: {
    read: 'value',
    paths: [
      { column: 'changes', keys: ['role', 'new'] },
      { column: 'metadata', keys: ['role'] },
    ],
  },
  accessLoggingNew: { read: 'type', paths: [{ column: 'changes', keys: ['access_logging', 'new'] }] },
  change: { read: 'value', paths: [{ column: 'metadata', keys: ['change'] }] },
  count: { read: 'value', paths: [{ column: 'metadata', keys: ['count'] }] },
} as const satisfies Record<string, DetailSpec>;
export type Detail = keyof typeof DETAIL_SPECS;

/** The detail as SQLite SQL: a JSON column read only where it is valid JSON. */
export function sqliteDetailSql(detail: Detail): string {
  const spec: DetailSpec = DETAIL_SPECS[detail];
  const read = spec.read === 'type' ? 'json_type' : 'json_extract';
  const arms = spec.paths.map(
    ({ column, keys }) =>
      `CASE WHEN json_valid(${column}) THEN ${read}(${column}, '$.${keys.join('.')}') END`,
  );
  if (arms.length === 0) return 'NULL';
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}
