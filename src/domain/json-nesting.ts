/**
 * How deeply a JSON value nests. Ingest refuses `changes` and `metadata` nested deeper than
 * MAX_JSON_NESTING, so no event the server stores is deeper; an export refuses a row that is
 * (a hostile server's), because JSON.stringify of a value nested some thousands deep throws.
 */
export const MAX_JSON_NESTING = 16;

/** The depth of `value` (0 for a scalar), counted no further than just past MAX_JSON_NESTING. */
export function nestingDepth(value: unknown, depth = 0): number {
  if (depth > MAX_JSON_NESTING || value === null || typeof value !== 'object') return depth;
  let deepest = depth + 1;
  for (const child of Object.values(value)) deepest = Math.max(deepest, nestingDepth(child, depth + 1));
  return deepest;
}
