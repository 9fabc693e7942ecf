import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteLines, LineTooLongError } from '../../src/client/byte-lines.js';
import {
  chunkInServerLayout,
  parseChunkOrEnd,
  parseHeadLine,
  type StreamChunk,
} from '../../src/client/export-lines.js';
import {
  EXPORT_ROW_FIELDS,
  type ExportRow,
  ExportStreamError,
  exportRowToEvent,
} from '../../src/domain/export-stream.js';
import { csvRowLine, csvRowLines } from '../../src/format/csv.js';

// The characters that could fool a splitter that does not parse: quotes, backslashes, brackets
// and commas inside strings, a newline escaped, the JavaScript line separators, multi-byte
// and astral characters (whose UTF-8 bytes straddle any cut), NUL.
const tricky = fc.string({
  unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', '\n', '\u2028', 'é', '€', '😀', '\0', 'a', ' '),
  maxLength: 12,
});
const text = fc.option(tricky, { nil: null });
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    tricky,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(tricky, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const object = fc.option(fc.dictionary(tricky, json, { maxKeys: 4 }), { nil: null });
/** A time as the server writes it, any millisecond of the years 0000–9999. */
const time = fc
  .integer({ min: Date.parse('0000-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') })
  .map((ms) => new Date(ms).toISOString());
const row = fc
  .tuple(fc.array(text, { minLength: 14, maxLength: 14 }), tricky, time, object, object)
  .map(([rest, id, timestamp, changes, metadata]) => [id, timestamp, ...rest, changes, metadata]);
/** Rows as a chunk holds them: oldest first. */
const inOrder = (rows: unknown[][]) => rows.sort((a, b) => ((a[1] as string) < (b[1] as string) ? -1 : 1));

/** A chunk's line exactly as the server writes it: SQLite's joined rows inside. */
const chunkLine = (cursor: string, rows: unknown[][]) =>
  `{"cursor":${JSON.stringify(cursor)},"rows":[${rows.map((values) => JSON.stringify(values)).join(',')}]}`;
const head = `{"columns":${JSON.stringify(EXPORT_ROW_FIELDS)},"received_before":"2024-01-01T00:00:00.000Z"}`;

/** Every line of `bytes` as ByteLines gives them when the bytes arrive cut at `cuts`. */
function linesOf(bytes: Buffer, cuts: number[]): string[] {
  const lines = new ByteLines(1 << 20);
  const out: string[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    for (const line of lines.push(bytes.subarray(start, cut))) out.push(line.toString('utf8'));
    start = cut;
  }
  return out;
}

/**
 * What a chunk says, read every way: its rows whole, its rows a run at a time (each run parsed
 * again from the line's bytes), its events, its count and its first and last rows.
 */
function view(chunk: StreamChunk | undefined) {
  if (chunk === undefined) return undefined;
  const runs = chunk.rowRuns ? [...chunk.rowRuns()] : [chunk.rows];
  const { cursor, count, first, last } = chunk;
  return { cursor, count, first, last, rows: chunk.rows, runs: runs.flat(), events: chunk.events };
}

/** The view of a chunk of `rows` after `cursor`. */
function expectedView(cursor: string, rows: unknown[][]) {
  const events = rows.map(exportRowToEvent);
  return { cursor, count: rows.length, first: rows[0], last: rows.at(-1), rows, runs: rows, events };
}

function viewOfLine(line: Buffer) {
  const parsed = parseChunkOrEnd(line);
  return 'chunk' in parsed ? view(parsed.chunk) : parsed;
}

describe('the export stream read from its bytes', () => {
  it('decodes any rows to what exportRowToEvent makes of them, and the fast path equals JSON.parse', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }).map(inOrder), tricky, (rows, cursor) => {
        const line = Buffer.from(chunkLine(cursor, rows));
        const expected = expectedView(cursor, rows);
        expect(view(chunkInServerLayout(line))).toEqual(expected);
        expect(viewOfLine(line)).toEqual(expected);
        // The same chunk in another layout (spaces, other key order) goes the general way.
        const spaced = Buffer.from(JSON.stringify({ rows, cursor }, null, 1).replace(/\n/g, ' '));
        expect(viewOfLine(spaced)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('parses a chunk of many rows in runs, the same as row by row', () => {
    // About 640 KB: the runs of 64 KiB split it into some ten pieces.
    const rows = Array.from({ length: 1000 }, (_, n) => {
      const values: unknown[] = EXPORT_ROW_FIELDS.map((field) => `${field} ${n} "],[" ü 😀 \\`);
      values[1] = new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString();
      values[16] = { n, nested: { list: ['],[', '\\"'] } };
      values[17] = null;
      return values;
    });
    const line = Buffer.from(chunkLine('cur', rows));
    expect(line.length).toBeGreaterThan(600_000);
    const expected = expectedView('cur', rows);
    const chunk = chunkInServerLayout(line);
    expect(view(chunk)).toEqual(expected);
    // The rows are kept as bytes and parsed again a run at a time: ten runs or so, fresh each time.
    const runs = [...(chunk?.rowRuns?.() ?? [])];
    expect(runs.length).toBeGreaterThan(8);
    expect(runs.every((run) => run.length < rows.length)).toBe(true);
    expect([...(chunk?.rowRuns?.() ?? [])][0]).not.toBe(runs[0]);
    // Parsed whole, it is decoded 64 KiB at a time too, never cutting a character in two.
    const spaced = Buffer.concat([Buffer.from('{ '), line.subarray(1)]);
    expect(chunkInServerLayout(spaced)).toBeUndefined();
    expect(viewOfLine(spaced)).toEqual(expected);
  });

  it("encodes each run with the writer's encoder as it is checked: the text of every row, in order, and none of a refused chunk", () => {
    const rows = Array.from({ length: 1000 }, (_, n) => {
      const values: unknown[] = EXPORT_ROW_FIELDS.map((field) => `${field} ${n} "],[" =ü, 😀 \\\n`);
      values[1] = new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString();
      values[16] = { n, nested: { list: ['],[', '\\"'] } };
      values[17] = n % 2 ? null : { '=k': '-v' };
      return values;
    });
    const runs: number[] = [];
    const encodeRows = (run: readonly ExportRow[]) => {
      runs.push(run.length);
      return csvRowLines(run, false);
    };
    const chunk = chunkInServerLayout(Buffer.from(chunkLine('cur', rows)), encodeRows);
    expect(runs.length).toBeGreaterThan(8);
    expect(chunk?.encoded?.encoder).toBe(encodeRows);
    expect(chunk?.encoded?.pieces).toHaveLength(runs.length);
    expect(chunk?.encoded?.pieces.join('')).toBe(rows.map((values) => csvRowLine(values, false)).join(''));
    expect(view(chunk)).toEqual(expectedView('cur', rows));
    // A bad row in the last run: the runs before it were encoded, but no chunk (no text) comes out.
    const bad = rows.map((values, n) => (n === rows.length - 1 ? values.slice(0, 17) : values));
    runs.length = 0;
    expect(() => chunkInServerLayout(Buffer.from(chunkLine('cur', bad)), encodeRows)).toThrow(
      ExportStreamError,
    );
    expect(runs.length).toBeGreaterThan(8);
  });

  it('keeps its own copy of rows that arrived as a view into a larger buffer (a network read)', () => {
    const rows = inOrder(fc.sample(row, { numRuns: 3, seed: 11 }));
    const read = Buffer.from(`${chunkLine('c1', rows)}\n{"end":true,"count":3}\n`);
    const line = read.subarray(0, read.indexOf(0x0a));
    const chunk = chunkInServerLayout(line);
    read.fill(0x20); // the buffer reused for the next read
    expect([...(chunk?.rowRuns?.() ?? [])].flat()).toEqual(rows);
  });

  it('splits a whole stream cut at every byte into the same lines', () => {
    const rows = inOrder(fc.sample(row, { numRuns: 3, seed: 7 }));
    const stream = Buffer.from(
      `${head}\n${chunkLine('c1', rows)}\n${chunkLine('c2', [])}\n{"end":true,"count":3}\n`,
    );
    const whole = linesOf(stream, []);
    expect(whole).toHaveLength(4);
    for (let cut = 0; cut <= stream.length; cut++) expect(linesOf(stream, [cut])).toEqual(whole);
    for (let cut = 0; cut + 7 <= stream.length; cut += 3)
      expect(linesOf(stream, [cut, cut + 7])).toEqual(whole);
    expect(parseHeadLine(Buffer.from(whole[0] as string)).columns).toEqual([...EXPORT_ROW_FIELDS]);
    expect(viewOfLine(Buffer.from(whole[1] as string))).toEqual(expectedView('c1', rows));
    expect(parseChunkOrEnd(Buffer.from(whole[3] as string))).toEqual({ end: { end: true, count: 3 } });
  });

  it('holds back a line that has not ended: a stream cut mid-row yields no part of it', () => {
    const line = chunkLine('c1', inOrder(fc.sample(row, { numRuns: 2, seed: 3 })));
    const lines = new ByteLines(1 << 20);
    expect(lines.push(Buffer.from(`${head}\n${line.slice(0, 40)}`))).toHaveLength(1);
    expect(lines.pendingBytes).toBe(Buffer.byteLength(line.slice(0, 40)));
    expect(lines.push(Buffer.from(line.slice(40)))).toEqual([]);
    expect(lines.push(Buffer.from('\r\n')).map(String)).toEqual([line]);
  });

  it('a server that never ends a line fills no more memory than the cap', () => {
    const lines = new ByteLines(1000);
    lines.push(Buffer.alloc(600, 'a'));
    expect(() => lines.push(Buffer.alloc(600, 'a'))).toThrow(LineTooLongError);
  });

  it('a head that does not name the export columns in order is no export stream', () => {
    const bad = [
      '{"data":[]}',
      '<html>',
      `{"columns":${JSON.stringify([...EXPORT_ROW_FIELDS].reverse())}}`,
      `{"columns":${JSON.stringify(EXPORT_ROW_FIELDS.slice(1))},"received_before":null}`,
      `{"columns":${JSON.stringify(EXPORT_ROW_FIELDS)},"received_before":5}`,
    ];
    for (const line of bad) expect(() => parseHeadLine(Buffer.from(line))).toThrow(ExportStreamError);
    expect(parseHeadLine(Buffer.from(`{"columns":${JSON.stringify(EXPORT_ROW_FIELDS)}}`))).toEqual({
      columns: [...EXPORT_ROW_FIELDS],
      received_before: null,
    });
  });

  it('a hostile server whose chunk goes back in time is refused before a row is handed out (--split would replace a finished file)', () => {
    const rowAt = (n: number, timestamp: string) =>
      EXPORT_ROW_FIELDS.map((field, index) =>
        index === 1 ? timestamp : index >= 16 ? null : `${field} ${n} ${'x'.repeat(400)}`,
      );
    const day = (d: number) => `2026-01-0${d}T12:00:00.000Z`;
    const backwards = [rowAt(1, day(1)), rowAt(2, day(2)), rowAt(3, day(1))];
    const line = Buffer.from(chunkLine('c', backwards));
    expect(() => chunkInServerLayout(line)).toThrow("a chunk's rows go back in time");
    // The same in another layout (parsed whole), and across runs of a chunk larger than one run.
    const spaced = Buffer.from(JSON.stringify({ rows: backwards, cursor: 'c' }, null, 1));
    expect(() => parseChunkOrEnd(spaced)).toThrow("a chunk's rows go back in time");
    const many = Array.from({ length: 600 }, (_, n) => rowAt(n, day(n < 300 ? 2 : 1)));
    const long = Buffer.from(chunkLine('c', many));
    expect(long.length).toBeGreaterThan(2 * 64 * 1024);
    expect(() => chunkInServerLayout(long)).toThrow("a chunk's rows go back in time");
    // Equal times are in order (several events in one millisecond).
    expect(
      chunkInServerLayout(Buffer.from(chunkLine('c', [rowAt(1, day(1)), rowAt(2, day(1))])))?.count,
    ).toBe(2);
  });

  it('a server that sends rows of another shape, or lines that are not the contract, is refused', () => {
    const good = EXPORT_ROW_FIELDS.map((_, index) => (index === 1 ? '2024-01-01T00:00:00.000Z' : 'x'));
    const at = (timestamp: string) => good.map((value, index) => (index === 1 ? timestamp : value));
    const bad = [
      chunkLine('c', [at('not a time')]),
      // Nested deeper than ingest allows: a hostile server's, which JSON.stringify could not write.
      `{"cursor":"c","rows":[${JSON.stringify(good.slice(0, 16)).slice(
        0,
        -1,
      )},null,${'{"a":'.repeat(17)}1${'}'.repeat(17)}]]}`,
      `{"cursor":"c","rows":[${JSON.stringify(good.slice(0, 16)).slice(
        0,
        -1,
      )},${'{"a":['.repeat(100_000)}1${']}'.repeat(100_000)},null]]}`,
      chunkLine('c', [at('2024-01-01T00:00:00Z')]),
      chunkLine('c', [at('2024-13-01T00:00:00.000Z')]),
      chunkLine('c', [good.slice(1)]),
      chunkLine('c', [[...good.slice(0, 16), 'not an object', null]]),
      chunkLine('c', [[...good.slice(0, 16), [], null]]),
      chunkLine('c', [[null, ...good.slice(1)]]),
      `{"cursor":"c","rows":[${JSON.stringify(good)},]}`,
      `{"cursor":"c","rows":[${JSON.stringify(good)}`,
      `{"cursor":5,"rows":[]}`,
      '{"end":true,"count":-1}',
      '{"end":true}',
      '{"something":"else"}',
      'not json',
    ];
    for (const line of bad) expect(() => parseChunkOrEnd(Buffer.from(line)), line).toThrow(ExportStreamError);
  });
});
