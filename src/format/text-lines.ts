/**
 * The lines of a text stream, split at LF only; a CR before the LF is dropped. Node 24's readline
 * also ends a line at U+2028 and U+2029, which JSON.stringify leaves unescaped inside strings, so
 * it would cut one NDJSON event (whose text is attacker-controlled) in two.
 */
export async function* textLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of chunks) {
    const parts = chunk.split('\n');
    const last = parts.pop() ?? '';
    for (const part of parts) {
      yield withoutCr(pending + part);
      pending = '';
    }
    pending += last;
  }
  if (pending !== '') yield withoutCr(pending);
}

const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
