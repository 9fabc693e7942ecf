/**
 * A set of tree positions as compact text, "3-5,9,12-40": how an erasure's record names the
 * leaves whose salts it deleted, so a full check can tell an erased event from an edited one.
 */

/** The positions (any order, repeats allowed) as ascending ranges. */
export function formatPositionRanges(positions: Iterable<number>): string {
  const sorted = [...new Set(positions)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const start = sorted[i] as number;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i] as number;
    i++;
    parts.push(start === end ? String(start) : `${start}-${end}`);
  }
  return parts.join(',');
}

/** The ranges of a text formatPositionRanges made; undefined when it is not such a text. */
export function parsePositionRanges(text: string): [start: number, end: number][] | undefined {
  if (text === '') return [];
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const match = /^(\d{1,15})(?:-(\d{1,15}))?$/.exec(part);
    if (!match) return undefined;
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    if (end < start) return undefined;
    ranges.push([start, end]);
  }
  return ranges;
}

/** Whether `position` is in one of the ranges. */
export function inPositionRanges(ranges: readonly [number, number][], position: number): boolean {
  return ranges.some(([start, end]) => start <= position && position <= end);
}
