import { describe, expect, it } from 'vitest';
import { AuditResponseError } from '../../src/client/errors.js';
import { parseLeafPage } from '../../src/client/tree.js';
import { leafPageAnswer } from '../helpers/leaf-page-answer.js';

const answer = leafPageAnswer;

const ROWS = [
  [0, 'aa', 'log_1', 't', 'auth', 'bb', null, null],
  [1, 'cc', 'log_"2\\n', 't', 'auth', 'dd', 'ee', ['a,\\n', '']],
];
const UNSEALED = [{ id: 'log_x' }];

function read(text: string) {
  const page = parseLeafPage(answer(text));
  return {
    rows: Array.from({ length: page.length }, (_, index) => page.row(index)),
    unsealed: page.unsealed,
  };
}

describe('a page of leaves, one row a line, parsed row by row', () => {
  it('reads the route’s one-row-a-line layout and any other layout of the same JSON alike', () => {
    const lines = `{"data":[\n${ROWS.map((row) => JSON.stringify(row)).join(',\n')}\n],"unsealed":${JSON.stringify(UNSEALED)}}`;
    expect(JSON.parse(lines)).toEqual({ data: ROWS, unsealed: UNSEALED });
    expect(read(lines)).toEqual({ rows: ROWS, unsealed: UNSEALED });
    expect(read(JSON.stringify({ data: ROWS, unsealed: UNSEALED }, null, 2))).toEqual({
      rows: ROWS,
      unsealed: UNSEALED,
    });
  });

  it('an answer read as bytes reads as its text does, and lists where each row lies for the byte path', () => {
    const lines = `{"data":[\n${ROWS.map((row) => JSON.stringify(row)).join(',\n')}\n],"unsealed":${JSON.stringify(UNSEALED)}}`;
    const page = parseLeafPage({ ...answer(''), chunks: [Buffer.from(lines)] });
    expect(Array.from({ length: page.length }, (_, index) => page.row(index))).toEqual(ROWS);
    expect(page.unsealed).toEqual(UNSEALED);
    const { bytes, starts, ends } = page.lines as NonNullable<typeof page.lines>;
    expect(
      starts.map((start, index) => JSON.parse((bytes[index] as Buffer).toString('utf8', start, ends[index]))),
    ).toEqual(ROWS);
    // Bytes that are not UTF-8 are decoded as undici's text() would (replaced), with no byte path.
    const broken = Buffer.concat([Buffer.from('{"data":[\n[0,"a\xff"]\n],"unsealed":[]}', 'latin1')]);
    const decoded = parseLeafPage({ ...answer(''), chunks: [broken] });
    expect(decoded.lines).toBeUndefined();
    expect(decoded.row(0)).toEqual([0, 'a\ufffd']);
    expect(() => parseLeafPage({ ...answer(''), chunks: [Buffer.from('{"data":[\n[0,"a"],\n[1,')] })).toThrow(
      AuditResponseError,
    );
  });

  it('a row that is not JSON reads as nothing (the check calls it a bad answer), never a crash', () => {
    expect(read('{"data":[\n[0,"a"\n],"unsealed":[]}').rows).toEqual([undefined]);
  });

  it('an answer cut off inside its rows is a response error, not a shorter page', () => {
    expect(() => read('{"data":[\n[0,"a"],\n[1,')).toThrow(AuditResponseError);
    expect(() => read('<html>proxy error</html>')).toThrow(AuditResponseError);
  });
});
