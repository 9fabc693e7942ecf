/** Pieces of a filter's SQL that both engines build the same way (event-query.ts, pg/event-query.ts). */

/**
 * The distinct values, padded to a power of two by repeating the last one (the same condition):
 * a list of n values makes one of log2(n) query texts, not one per n, so the prepared statements
 * of every list a caller can send stay few.
 */
export function paddedList(values: readonly string[]): string[] {
  const distinct = [...new Set(values)];
  const last = distinct.at(-1);
  if (last === undefined) return distinct;
  let size = 1;
  while (size < distinct.length) size *= 2;
  while (distinct.length < size) distinct.push(last);
  return distinct;
}

/** The least string above every string that starts with `prefix`: `action < it` ends the prefix's range. */
export function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
