/**
 * The entries of a proof in formatExportProof's layout, read one line at a time from the file's
 * bytes instead of as one document: a million entries never exist as a million arrays at once,
 * and the text of the whole file is never decoded. JSON text holds a newline only between
 * values, so the markers cannot be inside a string; anything else (a proof reformatted by hand,
 * a line that is not one entry) is left to JSON.parse of the whole file.
 */
import { type EntryArrays, readPlainEntryLine, readPlainPosition } from './proof-entry-line.js';

export interface Entries {
  count: number;
  /** Entry i; called in order, from 0. */
  entryAt: (i: number) => unknown;
  /** Reads entry i into `into` if it is in the plain form (proof-entry-line.ts); false: read it with entryAt. */
  readPlain?: (i: number, treeSize: number, into: EntryArrays) => boolean;
  /** Reads every entry's position alone into `positions` if each is written plainly; false: one is not. */
  readPositions?: (treeSize: number, positions: Float64Array) => boolean;
}

/** The file is not in the layout: it is read as one JSON document instead. */
export class NotLaidOutError extends Error {
  override readonly name = 'NotLaidOutError';
}

const ENTRIES_OPEN = Buffer.from('\n"entries":[\n');
const ENTRIES_CLOSE = Buffer.from('\n],\n"others":');

export function entriesByLine(bytes: Buffer): (Entries & { document: unknown }) | undefined {
  const open = bytes.indexOf(ENTRIES_OPEN);
  const close = open === -1 ? -1 : bytes.indexOf(ENTRIES_CLOSE, open);
  if (close === -1) return undefined;
  let document: unknown;
  try {
    // A sentinel: were "entries" given again after the list, JSON.parse would take that one.
    document = JSON.parse(
      `${bytes.toString('utf8', 0, open)}"entries":0${bytes.toString('utf8', close + 2)}`,
    );
  } catch {
    return undefined;
  }
  if ((document as { entries?: unknown } | null)?.entries !== 0) return undefined;
  const starts: number[] = [];
  for (let at = open + ENTRIES_OPEN.length; at <= close; at = bytes.indexOf(0x0a, at) + 1) starts.push(at);
  const count = starts.length;
  /** Where entry i's text ends: each line but the last ends in the comma between entries. */
  const endOf = (i: number): number => {
    if (i + 1 === count) return close;
    const end = (starts[i + 1] as number) - 2;
    if (bytes[end] !== 0x2c) throw new NotLaidOutError();
    return end;
  };
  const entryAt = (i: number): unknown => {
    const end = endOf(i);
    try {
      return JSON.parse(bytes.toString('utf8', starts[i] as number, end));
    } catch {
      throw new NotLaidOutError();
    }
  };
  const readPlain = (i: number, treeSize: number, into: EntryArrays): boolean =>
    readPlainEntryLine(bytes, starts[i] as number, endOf(i), i, treeSize, into);
  const readPositions = (treeSize: number, positions: Float64Array): boolean => {
    for (let i = 0; i < count; i++)
      if (!readPlainPosition(bytes, starts[i] as number, close, i, treeSize, positions)) return false;
    return true;
  };
  return { document, count, entryAt, readPlain, readPositions };
}
