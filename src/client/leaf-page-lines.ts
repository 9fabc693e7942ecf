/**
 * The rows of a leaves answer of the route's row-a-line layout (`{"data":[` newline, rows joined
 * by `,` and a newline, newline `]`…), split straight from the chunks the body came in: a row
 * inside one chunk is listed where it lies, and only a row split across chunks is copied. Putting
 * a ~5 MB page together first cost the CLI ~8 % of `audit verify --full` (a fresh buffer a page).
 * Anything else (another layout, bytes that are not UTF-8, an answer cut off) answers undefined:
 * the caller reads the whole answer as text, as before. test/unit/leaf-page-lines.test.ts holds
 * the two equal for any split of the same bytes.
 */
import { isUtf8 } from 'node:buffer';

/** Row `index` lies in bytes[index][starts[index], ends[index]) (its trailing comma left out). */
export interface RowLines {
  bytes: Buffer[];
  starts: number[];
  ends: number[];
  /** What follows the rows, from their closing `]` on. */
  tail: Buffer;
}

const HEAD_LINE = Buffer.from('{"data":[');
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const CLOSE_ARRAY = 0x5d;

/**
 * The rows of `chunks` (a body in order), or undefined unless it is of the row-a-line layout, whole
 * and valid UTF-8. UTF-8 is checked in pieces cut at newlines: an ASCII byte is never inside a
 * character, so the pieces are valid exactly when the whole is.
 */
export function rowLinesOfChunks(chunks: readonly Buffer[]): RowLines | undefined {
  const lines: RowLines = { bytes: [], starts: [], ends: [], tail: Buffer.alloc(0) };
  let head = true;
  /** Pieces of a line begun in an earlier chunk. */
  let carried: Buffer[] = [];
  let tail: Buffer[] | undefined;
  for (const chunk of chunks) {
    if (tail) {
      tail.push(chunk);
      continue;
    }
    let at = 0;
    /** The run of lines wholly inside this chunk, [runStart, runEnd): checked as UTF-8 at once. */
    let runStart = -1;
    let runEnd = -1;
    while (at < chunk.length) {
      if (!head && carried.length === 0 && chunk[at] === CLOSE_ARRAY) {
        tail = [chunk.subarray(at)];
        break;
      }
      const newline = chunk.indexOf(NEWLINE, at);
      if (newline === -1) {
        carried.push(chunk.subarray(at));
        break;
      }
      let line = chunk;
      let start = at;
      let end = newline;
      if (carried.length > 0) {
        line = Buffer.concat([...carried, chunk.subarray(0, newline)]);
        carried = [];
        start = 0;
        end = line.length;
        if (!isUtf8(line)) return undefined;
      } else {
        if (runStart < 0) runStart = start;
        runEnd = end;
      }
      if (head) {
        if (!line.subarray(start, end).equals(HEAD_LINE)) return undefined;
        head = false;
      } else {
        lines.bytes.push(line);
        lines.starts.push(start);
        lines.ends.push(line[end - 1] === COMMA && end - 1 >= start ? end - 1 : end);
      }
      at = newline + 1;
    }
    if (runStart >= 0 && !isUtf8(chunk.subarray(runStart, runEnd))) return undefined;
  }
  if (!tail) return undefined;
  lines.tail = tail.length === 1 ? (tail[0] as Buffer) : Buffer.concat(tail);
  return isUtf8(lines.tail) ? lines : undefined;
}
