import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLeafPage } from '../../src/client/tree.js';
import { leafPageAnswer } from '../helpers/leaf-page-answer.js';

const answer = leafPageAnswer;

/** The page as the text path reads it (the body decoded as undici's text() does), or what it throws. */
function readAsText(body: Buffer) {
  const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  return read(() => parseLeafPage(answer(body.toString('utf8', start))));
}

/** The page read from `chunks`, the rows also as the byte path lists them. */
function readAsChunks(chunks: Buffer[]) {
  return read(() => parseLeafPage({ ...answer(''), chunks }));
}

function read(parse: () => ReturnType<typeof parseLeafPage>) {
  let page: ReturnType<typeof parseLeafPage>;
  try {
    page = parse();
  } catch (error) {
    return { threw: `${(error as Error).name}: ${(error as Error).message}` };
  }
  const { lines } = page;
  return {
    rows: Array.from({ length: page.length }, (_, index) => page.row(index)),
    unsealed: page.unsealed,
    lineTexts: lines?.starts.map((start, index) =>
      (lines.bytes[index] as Buffer).toString('utf8', start, lines.ends[index]),
    ),
  };
}

/** `body` cut at `cuts` (any byte offsets, inside a character too), in order, empty pieces kept. */
function split(body: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (body.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, body.length]) {
    chunks.push(body.subarray(from, point));
    from = point;
  }
  return chunks;
}

/** The row texts of a row-a-line body, as a reader of the layout cuts them (the comma dropped). */
function rowTexts(text: string): string[] {
  const lines = text.split('\n');
  const rows: string[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith(']')) break;
    rows.push(line.endsWith(',') ? line.slice(0, -1) : line);
  }
  return rows;
}

/** Text as an attacker might store it: any code points, lone surrogates, controls, newlines, brackets. */
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('é', '€', '😀', '\ud800', '\udfff', '\n', ']', ',\n', '\u2028', '\0', 'a'.repeat(300)),
);
const row = fc.tuple(fc.nat(), hostileText, fc.array(hostileText, { maxLength: 4 }));
/** Raw bytes a hostile server might put anywhere: broken UTF-8, a BOM, newlines, brackets. */
const rawBytes = fc.constantFrom(
  '\xff',
  '\xc3',
  '\xe2\x82',
  '\xef\xbb\xbf',
  '\n',
  ']',
  ',',
  '\xf0\x9f\x98',
  '\xed\xa0\x80',
);

const body = fc
  .record({
    rows: fc.array(row, { maxLength: 12 }),
    unsealed: fc.array(fc.record({ id: hostileText }), { maxLength: 2 }),
    raw: fc.array(fc.tuple(fc.nat(), rawBytes), { maxLength: 3 }),
    cutAt: fc.option(fc.nat()),
  })
  .map(({ rows, unsealed, raw, cutAt }) => {
    let bytes = Buffer.from(
      `{"data":[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n],"unsealed":${JSON.stringify(unsealed)}}`,
    );
    for (const [at, inserted] of raw) {
      const point = at % (bytes.length + 1);
      bytes = Buffer.concat([
        bytes.subarray(0, point),
        Buffer.from(inserted, 'latin1'),
        bytes.subarray(point),
      ]);
    }
    return cutAt === null ? bytes : bytes.subarray(0, cutAt % (bytes.length + 1));
  });

describe('a leaves answer split straight from the chunks it came in', () => {
  it('reads as the whole answer decoded as text does, wherever the chunks are cut', () => {
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 40 }), (bytes, cuts) => {
        const expected = readAsText(bytes);
        const chunked = readAsChunks(split(bytes, cuts));
        expect({ ...chunked, lineTexts: undefined }).toEqual({ ...expected, lineTexts: undefined });
        // Rows listed for the byte path only for a whole answer of the layout in valid UTF-8, each
        // exactly the bytes of its line; and the same however the answer was cut.
        if (chunked.lineTexts !== undefined)
          expect(chunked.lineTexts).toEqual(rowTexts(bytes.toString('utf8')));
        expect(chunked.lineTexts).toEqual(readAsChunks([bytes]).lineTexts);
      }),
      { numRuns: 3000 },
    );
  });

  it('an honest page cut at every byte, inside each multi-byte character, lists every row', () => {
    const rows = [
      [0, 'é€😀', ['a,\n', '']],
      [1, '\ud83d', ['"]"', ']']],
      [2, 'x'.repeat(70), []],
    ];
    const text = `{"data":[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n],"unsealed":[]}`;
    const bytes = Buffer.from(text);
    for (let first = 0; first <= bytes.length; first++) {
      for (const second of [first, first + 1, first + 2, first + 3, bytes.length]) {
        const chunked = readAsChunks(split(bytes, [first, second]));
        expect(chunked).toEqual({ rows, unsealed: [], lineTexts: rowTexts(text) });
      }
    }
  });
});
