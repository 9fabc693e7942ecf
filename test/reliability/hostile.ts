import fc from 'fast-check';

/** One megabyte: larger than any field the API accepts, smaller than its body limit. */
export const MEGABYTE = 'x'.repeat(1 << 20);

/** Hand-picked values that broke real parsers: FTS5 syntax, odd numbers and dates, controls. */
export const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\ufeff',
  '\u202egpj.exe',
  '\x1b[2J\x1b]52;c;cHduZWQ=\x07',
  MEGABYTE,
  // FTS5 query syntax (q=, search)
  '"',
  '"unterminated',
  'a OR',
  'AND',
  'NOT x',
  'NEAR(a b, 3)',
  '*',
  'a*',
  '^start',
  'col:value',
  '{actor description}: x',
  '(((',
  ')',
  '-x',
  '+x',
  "'; DROP TABLE events; --",
  '%',
  '_',
  '\\',
  // numbers
  '0',
  '-1',
  '-0',
  '1e308',
  '1e309',
  '-1e308',
  '9'.repeat(400),
  '9007199254740993',
  '0x10',
  '1_000',
  'NaN',
  'Infinity',
  '1.5',
  // dates and durations
  '2024-02-30',
  '2024-13-01',
  '2024-00-10',
  '0000-01-01',
  '9999-12-31',
  '99999-01-01',
  '+275760-09-13T00:00:00.000Z',
  '+275760-09-14T00:00:00.000Z',
  '-271821-04-20T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '2024-01-01T25:00:00Z',
  '2024-01-01T00:00:00+99:99',
  '2024-01-01T00:00:00.123456789Z',
  '2024-W01',
  'T',
  '30m',
  '0d',
  '99999999999d',
  '1e3h',
  // cursors and ids
  'log_00000000000000000000000000',
  'log_ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
  'eyJ0IjoxfQ',
  'bm9wZQ==',
  '../../etc/passwd',
  'me',
];

/** Any UTF-16 code unit, lone surrogates and NUL included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIAL_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
  { arbitrary: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), weight: 1 },
);

/** Any JSON value, hostile strings, huge numbers and wrong types included (depth-bounded). */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.constantFrom(
      null,
      true,
      false,
      0,
      -1,
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER + 2,
      5e-324,
      2 ** 63,
      -(2 ** 63),
    ),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Percent-encoded bytes no UTF-8 encoder produces: lone surrogates, overlongs, bad escapes. */
export const RAW_QUERY_VALUES = ['%ED%A0%80', '%C0%80', '%FF%FE', '%', '%G1', '%00', '%E2%80', '&', '=', '+'];

/** A query value: either properly encoded hostile text or raw hostile bytes. */
export const queryValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileString.map(encodeQueryComponent), weight: 5 },
  { arbitrary: fc.constantFrom(...RAW_QUERY_VALUES), weight: 1 },
);

/** A surrogate without its other half: what encodeURIComponent refuses. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * encodeURIComponent, except that lone surrogates are sent as their raw (invalid) UTF-8 bytes.
 * The text between them is encoded in one call: the hostile strings include a megabyte, which a
 * character at a time took seconds of the fuzz run and most of its garbage.
 */
export function encodeQueryComponent(text: string): string {
  let out = '';
  let from = 0;
  for (const match of text.matchAll(LONE_SURROGATE)) {
    const code = match[0].charCodeAt(0);
    out += encodeURIComponent(text.slice(from, match.index));
    out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    from = match.index + 1;
  }
  return out + encodeURIComponent(text.slice(from));
}

/** JSON text nested `depth` levels deep: a stack-overflow probe for every recursive walker. */
export function deeplyNested(depth: number, open = '{"a":', close = '}'): string {
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}
