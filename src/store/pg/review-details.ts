import { DETAIL_SPECS, type Detail, type DetailSpec, type JsonPath } from '../review-details.js';

/**
 * The review's details (src/store/review-details.ts) on PostgreSQL: review_json_read (migration
 * 0002) reads each path in SQL and answers a tagged text; what it cannot read (invalid JSON, or
 * \u0000 or a lone surrogate anywhere in the document, which PostgreSQL's text cannot hold) it
 * answers '', and that row's documents are read here in JS, as SQLite would read them.
 */

/** The tagged text of a detail, as SQL over one row of `events`. */
export function pgDetailSql(detail: Detail): string {
  const spec: DetailSpec = DETAIL_SPECS[detail];
  const arms = spec.paths.map(
    ({ column, keys }) => `review_json_read(${column}, '{${keys.join(',')}}', ${spec.read === 'type'})`,
  );
  return arms.length === 0 ? 'NULL::text' : coalesced(arms);
}

/** SQLite's coalesce, but an unreadable arm met before a value makes the whole detail JS's. */
function coalesced(arms: readonly string[]): string {
  const [first, ...rest] = arms as [string, ...string[]];
  if (rest.length === 0) return first;
  return `CASE WHEN ${first} = '' THEN '' ELSE coalesce(${first}, ${coalesced(rest)}) END`;
}

/** The tagged text `equals` is, for a SQL filter on the detail (review-queries byActions). */
export function taggedEquals(detail: Detail, equals: string): string {
  return DETAIL_SPECS[detail].read === 'type' ? equals : `s${equals}`;
}

/** Whether the tagged text needs the row's documents read in JS. */
export const unreadable = (tagged: unknown): boolean => tagged === '';

/** A tagged text (not '') → the detail as SQLite answers it. */
export function untag(detail: Detail, tagged: unknown): unknown {
  if (typeof tagged !== 'string') return null;
  if (DETAIL_SPECS[detail].read === 'type') return tagged;
  const rest = tagged.slice(1);
  if (tagged[0] === 's' || tagged[0] === 'j') return rest;
  return Number(rest) + 0;
}

/** The detail read in JS from the row's documents (changes, metadata), as SQLite reads them. */
export function detailOfDocuments(
  detail: Detail,
  documents: { changes: unknown; metadata: unknown },
): unknown {
  const spec: DetailSpec = DETAIL_SPECS[detail];
  for (const path of spec.paths) {
    const found = valueAt(documents[path.column], path);
    if (found === undefined) continue;
    if (spec.read === 'type') return jsonType(found);
    const value = sqliteValue(found);
    if (value !== null) return value;
  }
  return null;
}

/** The value at a path of a JSON text: undefined when the text is not JSON or has no such value. */
function valueAt(document: unknown, path: JsonPath): unknown {
  if (typeof document !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(document);
  } catch {
    return undefined;
  }
  for (const key of path.keys) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key))
      return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** json_extract's answer: text, a number (true 1, false 0), null, or an object's JSON text. */
function sqliteValue(value: unknown): unknown {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number') return value + 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return JSON.stringify(value);
}

/** json_type's answer. Numbers as JSON.stringify writes them: integers below 1e21 have no point. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? 'integer' : 'real';
  if (typeof value === 'string') return 'text';
  return Array.isArray(value) ? 'array' : 'object';
}
