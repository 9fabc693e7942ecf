import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPORT_ROW_FIELDS, exportRowToEvent } from '../../src/domain/export-stream.js';
import { CSV_COLUMNS, type CsvColumn, csvCells } from '../../src/format/columns.js';
import { csvLine, csvRowLine } from '../../src/format/csv.js';
import { sanitizeForDisplay } from '../../src/format/sanitize.js';

// The streamed export writes CSV straight from the rows it parsed (csvRowLine), never making
// their events; a list page's events are written through csvLine. Hostile rows must come out
// the same both ways, and as the cells of the event quoted by RFC 4180 would.
const hostile = fc.string({
  unit: fc.constantFrom(
    '=',
    '+',
    '-',
    '@',
    '\t',
    '\r',
    "'",
    '"',
    ',',
    '\n',
    'a',
    ' ',
    'é',
    '😀',
    '\uD800',
    '\uDFFF',
    '\u001b',
    '\u202e',
    '\0',
  ),
  maxLength: 10,
});
const text = fc.option(hostile, { nil: null });
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostile,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(hostile, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const object = fc.option(fc.dictionary(hostile, json, { maxKeys: 4 }), { nil: null });
/** A time as the API writes it (an export refuses a row with any other timestamp). */
const time = fc
  .integer({ min: Date.parse('0000-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') })
  .map((ms) => new Date(ms).toISOString());
const row = fc
  .tuple(hostile, time, fc.array(text, { minLength: 14, maxLength: 14 }), object, object)
  .map(([id, timestamp, rest, changes, metadata]) => [id, timestamp, ...rest, changes, metadata]);
const columns = fc.option(
  fc
    .subarray([...CSV_COLUMNS], { minLength: 1 })
    .chain((chosen) => fc.shuffledSubarray(chosen, { minLength: 1 })),
  {
    nil: undefined,
  },
);

function expectedLine(values: unknown[], terminal: boolean, chosen?: readonly CsvColumn[]): string {
  const cells = csvCells(exportRowToEvent(values));
  const picked =
    chosen === undefined ? cells : chosen.map((column) => cells[CSV_COLUMNS.indexOf(column)] as string);
  const quoted = picked
    .map((cell) => (terminal ? sanitizeForDisplay(cell) : cell))
    .map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell));
  return `${quoted.join(',')}\n`;
}

describe('a CSV line written from an export row', () => {
  it('is the line of the event the row holds, for hostile rows, any --columns, file or terminal', () => {
    expect(EXPORT_ROW_FIELDS).toHaveLength(CSV_COLUMNS.length);
    fc.assert(
      fc.property(row, fc.boolean(), columns, (values, terminal, chosen) => {
        const line = csvRowLine(values, terminal, chosen);
        expect(line).toBe(csvLine(exportRowToEvent(values), terminal, chosen));
        expect(line).toBe(expectedLine(values, terminal, chosen));
      }),
      { numRuns: 3000, seed: 0x24 },
    );
  });

  it('defuses a formula and quotes a cell with a comma, a quote or a line break', () => {
    const values: unknown[] = EXPORT_ROW_FIELDS.map(() => null);
    Object.assign(values, {
      0: 'log_1',
      1: '=cmd|calc',
      2: 'a,b',
      3: 'say "hi"',
      4: 'x\r\ny',
      16: { '=k': '-v' },
    });
    expect(csvRowLine(values, false)).toBe(
      `log_1,'=cmd|calc,"a,b","say ""hi""","x\r\ny",,,,,,,,,,,,"{""=k"":""-v""}",\n`,
    );
  });
});
