/** Lines of a byte stream, numbered from 1, without holding more than one line in memory. */

/** A malformed file: `where` is `line 12`, `event 3` or undefined when it concerns the whole file. */
export class MalformedInputError extends Error {
  override readonly name = 'MalformedInputError';
  constructor(
    readonly where: string | undefined,
    readonly reason: string,
  ) {
    super(where ? `${where}: ${reason}` : reason);
  }
}

export interface Line {
  number: number;
  text: string;
}

export const MIB = 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * Splits on `\n` (a byte that never occurs inside a UTF-8 sequence, so chunks are cut safely),
 * drops a trailing `\r` and a leading byte order mark. A line longer than `maxBytes` throws
 * `tooLong(lineNumber)` rather than growing without bound.
 */
export async function* readLines(
  chunks: AsyncIterable<Buffer>,
  maxBytes: number,
  tooLong: (line: number) => Error = (line) =>
    new MalformedInputError(`line ${line}`, `longer than ${Math.round(maxBytes / MIB)} MiB`),
): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  const take = (last: Buffer): Line => {
    const bytes = pendingBytes === 0 ? last : Buffer.concat([...pending, last]);
    pending = [];
    pendingBytes = 0;
    number += 1;
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (number === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    return { number, text };
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      if (pendingBytes + end - start > maxBytes) throw tooLong(number + 1);
      yield take(chunk.subarray(start, end));
      start = end + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxBytes) throw tooLong(number + 1);
    }
  }
  if (pendingBytes > 0) yield take(Buffer.alloc(0));
}
