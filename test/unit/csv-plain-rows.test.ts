import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CheckedRows, checkRun } from '../../src/client/export-row-runs.js';
import { EXPORT_ROW_FIELDS, type ExportRow } from '../../src/domain/export-stream.js';
import { MAX_JSON_NESTING } from '../../src/domain/json-nesting.js';
import { csvRowLines } from '../../src/format/csv.js';
import { csvOfPlainRows } from '../../src/format/csv-plain-rows.js';

// csvOfPlainRows writes CSV from a run's JSON text without parsing it: a second way to the
// bytes csvRowLines writes from the parsed rows. Whatever text it accepts must parse, pass the
// export's row checks (a hostile server's rows are refused by the general path, so they must
// never be written by this one) and come out as the same bytes. The text is built token by
// token so that what JSON.parse normalizes appears: escapes, whitespace, repeated keys, index
// keys, numbers that are not written back as sent, arrays, deep nesting, raw control
// characters, lone surrogates, cut runs.

const hostileChar = fc.constantFrom(
  '=',
  '+',
  '-',
  '@',
  '\t',
  '\r',
  '\n',
  "'",
  '"',
  '\\',
  ',',
  ' ',
  'a',
  'é',
  '€',
  '😀',
  '\uD800',
  '\uDFFF',
  '\u001b',
  '\u202e',
  '\u2028',
  '\0',
  '{',
  '}',
  '[',
  ']',
  ':',
  '1',
);
const hostile = fc.string({ unit: hostileChar, maxLength: 8 });
/** What ordinary events hold: a comma, a formula start and non-ASCII text, but nothing to escape. */
const plain = fc.string({
  unit: fc.constantFrom('=', '+', '-', '@', "'", ',', ' ', 'a', 'é', '€', ':', '{'),
  maxLength: 8,
});
/**
 * A string as JSON text: mostly plain (so that whole runs are often plain and the property is
 * not vacuous), else escaped as JSON.stringify does, or raw (quotes, controls and all).
 */
const stringText = fc.oneof(
  { weight: 60, arbitrary: plain.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: hostile.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: hostile.map((value) => `"${value}"`) },
  { weight: 1, arbitrary: fc.constantFrom('"\\u0041"', '"a\\/b"', '"\\ud83d\\ude00"', '"x\\ny"') },
);
const numberText = fc.oneof(
  { weight: 4, arbitrary: fc.integer().map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '-0',
      '01',
      '1.0',
      '1.5',
      '1e2',
      '-',
      '123456789012345',
      '9007199254740993',
      '1E3',
      '+1',
    ),
  },
);
const space = fc.oneof(
  { weight: 30, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\n') },
);
const keyText = fc.oneof(
  { weight: 6, arbitrary: stringText },
  { weight: 1, arbitrary: fc.constantFrom('"0"', '"1"', '"10"', '"-1"', '"__proto__"', '"a"', '"a"', '"b"') },
);
const valueText = fc.letrec<{ value: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    { weight: 6, arbitrary: stringText },
    { weight: 3, arbitrary: numberText },
    { weight: 3, arbitrary: fc.constantFrom('true', 'false', 'null') },
    { weight: 1, arbitrary: fc.constantFrom('nul', 'True', '[]') },
    { weight: 2, arbitrary: tie('object') },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 2 }).map((items) => `[${items.join(',')}]`) },
  ),
  object: fc
    .tuple(fc.array(fc.tuple(keyText, space, tie('value')), { maxLength: 3 }), space)
    .map(
      ([members, after]) =>
        `{${members.map(([key, gap, value]) => `${key}:${gap}${value}`).join(',')}${after}}`,
    ),
})).value;
const objectText = fc.oneof(
  { weight: 3, arbitrary: fc.constant('null') },
  { weight: 6, arbitrary: valueText.filter((value) => value.startsWith('{')) },
  { weight: 1, arbitrary: fc.constantFrom('{}', '[]', '"{}"', '1', '{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}') },
);
/** A time as the API writes it, or text that is not one. */
const timeText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.integer({ min: 0, max: 2 ** 40 }).map((ms) => JSON.stringify(new Date(ms).toISOString())),
  },
  { weight: 1, arbitrary: fc.constantFrom('"2024-13-01T00:00:00.000Z"', '"2024-01-01"', 'null', '"x"') },
);
const cellText = fc.oneof(
  { weight: 3, arbitrary: stringText },
  { weight: 1, arbitrary: fc.constant('null') },
);
const rowText = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: stringText }, { weight: 1, arbitrary: fc.constant('null') }),
    timeText,
    fc.oneof(
      { weight: 8, arbitrary: fc.array(cellText, { minLength: 14, maxLength: 14 }) },
      { weight: 1, arbitrary: fc.array(cellText, { minLength: 13, maxLength: 15 }) },
    ),
    objectText,
    objectText,
    space,
  )
  .map(
    ([id, time, cells, changes, metadata, gap]) =>
      `[${[id, time, ...cells, changes, metadata].join(`,${gap}`)}]`,
  );
/** Rows, mostly oldest first as a chunk holds them, sometimes cut anywhere (a guessed run end). */
const runText = fc
  .tuple(fc.array(rowText, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat())
  .map(([rows, sorted, cut]) => {
    const ordered = sorted % 5 > 0 ? [...rows].sort((a, b) => (timeOf(a) < timeOf(b) ? -1 : 1)) : rows;
    const text = ordered.join(',');
    return cut % 8 === 0 ? text.slice(0, cut % (text.length + 1)) : text;
  });
const timeOf = (row: string) => /^\[[^,]*,("[^"]*")/.exec(row)?.[1] ?? '';
const previousTime = fc.option(fc.constantFrom('1970-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z'), {
  nil: undefined,
});

const generalPathOf = (text: string) => generalPath(text, undefined);

/** What the general path makes of a run's text: the checked rows and their CSV, or undefined (it refuses). */
function generalPath(text: string, previous: string | undefined) {
  let rows: ExportRow[];
  try {
    rows = JSON.parse(`[${text}]`) as ExportRow[];
  } catch {
    return undefined;
  }
  const checked: CheckedRows = { count: 0, first: undefined, last: [null, previous] };
  try {
    checkRun(rows, checked);
  } catch {
    return undefined;
  }
  return { rows, csv: csvRowLines(rows, false) };
}

describe('CSV written from the text of plain rows', () => {
  it('accepts only rows the general path accepts, and writes the bytes csvRowLines writes', () => {
    let accepted = 0;
    fc.assert(
      fc.property(runText, previousTime, (text, previous) => {
        const plain = csvOfPlainRows(text, previous);
        if (plain === undefined) return;
        accepted++;
        const general = generalPath(text, previous);
        expect(general).toBeDefined();
        const { rows, csv } = general as { rows: ExportRow[]; csv: string };
        expect(plain.text).toBe(csv);
        expect(plain.count).toBe(rows.length);
        expect(plain.first).toEqual(rows[0]?.slice(0, 2));
        expect(plain.last).toEqual(rows.at(-1)?.slice(0, 2));
      }),
      { numRuns: 20_000, seed: 0x2024 },
    );
    // Not vacuous: a good share of the hostile runs are plain.
    expect(accepted).toBeGreaterThan(300);
  });

  it('takes rows of ordinary events: text with commas and formulas, nested objects, integers', () => {
    const safe = fc.string({
      unit: fc.constantFrom('a', ',', '=', '-', '+', '@', "'", ' ', 'é', '€', ':', '{'),
      maxLength: 8,
    });
    const member: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        safe,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.dictionary(
          safe.map((key) => `k${key}`),
          tie('value'),
          { maxKeys: 3 },
        ),
      ),
    })).value;
    const object = fc.option(
      fc.dictionary(
        safe.map((key) => `k${key}`),
        member,
        { maxKeys: 3 },
      ),
      { nil: null },
    );
    const row = fc
      .tuple(
        safe,
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.array(fc.option(safe, { nil: null }), { minLength: 14, maxLength: 14 }),
        object,
        object,
      )
      .map(([id, ms, cells, changes, metadata]) => [
        id,
        new Date(ms).toISOString(),
        ...cells,
        changes,
        metadata,
      ]);
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 5 }), (rows) => {
        rows.sort((a, b) => ((a[1] as string) < (b[1] as string) ? -1 : 1));
        expect(rows[0]).toHaveLength(EXPORT_ROW_FIELDS.length);
        const plain = csvOfPlainRows(rows.map((values) => JSON.stringify(values)).join(','), undefined);
        expect(plain?.text).toBe(csvRowLines(rows, false));
      }),
      { numRuns: 3000, seed: 0x24 },
    );
  });

  it('leaves to the general path what JSON.parse would not give back as sent', () => {
    const row = (changes: string) =>
      `["log_1","2024-01-01T00:00:00.000Z",${Array(14).fill('null').join(',')},${changes},null]`;
    for (const changes of [
      '{"a":1,"a":2}',
      '{"b":1,"1":2}',
      '{"a":1.0}',
      '{"a":-0}',
      '{"a": 1}',
      '{"a":"\\u0041"}',
      '{"a":[1]}',
      '{"__proto__":1}',
    ])
      expect(csvOfPlainRows(row(changes), undefined)).toBeUndefined();
    // Nested as deep as an export allows is written; one level more is the general path's to refuse.
    const nested = (depth: number): string => (depth === 1 ? '{"a":1}' : `{"a":${nested(depth - 1)}}`);
    expect(csvOfPlainRows(row(nested(MAX_JSON_NESTING)), undefined)?.text).toBe(
      csvRowLines(JSON.parse(`[${row(nested(MAX_JSON_NESTING))}]`), false),
    );
    expect(csvOfPlainRows(row(nested(MAX_JSON_NESTING + 1)), undefined)).toBeUndefined();
    expect(generalPathOf(row(nested(MAX_JSON_NESTING + 1)))).toBeUndefined();
    expect(csvOfPlainRows(row('{"a":{"b":1},"c":true}'), undefined)?.text).toBe(
      `log_1,2024-01-01T00:00:00.000Z,,,,,,,,,,,,,,,"{""a"":{""b"":1},""c"":true}",\n`,
    );
  });
});
