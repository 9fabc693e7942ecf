import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.js';
import { commitmentOf } from '../../src/domain/merkle/leaf.js';
import { committedFields } from '../../src/verify/leaf-fields.js';
import { ERASURE_ACTION, leafOutcome, PURGE_ACTION } from '../../src/verify/leaf-outcome.js';
import { leafOutcomeOfBytes } from '../../src/verify/leaf-row-bytes.js';

/** What the general path says of a row line: its outcome, or that it refuses the row. */
function slowOutcome(line: string, position: number): unknown {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    row = undefined; // parseLeafPage's row() answers undefined for a row that is not JSON
  }
  try {
    return leafOutcome(row, position);
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

/** The fast twin on the line's bytes; it may decline (undefined) but never disagree. */
function expectTwinsAgree(line: string | Buffer, position: number): 'fast' | 'declined' | 'not-utf8' {
  const bytes = typeof line === 'string' ? Buffer.from(line) : line;
  // Bytes that are not UTF-8 never reach the fast path: the page reader reads such an answer as
  // text (src/client/leaf-page-lines.ts, held by test/unit/leaf-page-lines.test.ts).
  if (!isUtf8(bytes)) return 'not-utf8';
  const fast = leafOutcomeOfBytes(bytes, 0, bytes.length, position);
  if (fast === undefined) return 'declined';
  expect(fast).toEqual(slowOutcome(bytes.toString('utf8'), position));
  return 'fast';
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A row as the route lists it for fields given as stored, its commitment made over what they commit to. */
function honestRow(position: number, fields: string[], options: { salt?: boolean } = {}): unknown[] {
  const salt = randomBytes(32);
  const committed = committedFields(fields);
  const commitment = committed ? commitmentOf(salt, committed.fields) : randomBytes(32);
  return [
    position,
    hex(randomBytes(32)),
    fields[0],
    fields[1],
    fields[2],
    hex(commitment),
    options.salt === false ? null : hex(salt),
    fields,
  ];
}

const ORDINARY = [
  'log_01JX0000000000000000000000',
  '2026-01-01T00:00:00.000Z',
  'auth',
  'user.login',
  '',
  'user_1',
  'Alice',
  'alice@example.com',
  'user',
  '',
  '',
  '',
  '203.0.113.7',
  'Mozilla/5.0',
  '',
  '',
  '',
  '{"n":5}',
];

/** Text as a hostile sender or database might store it in `changes` or `metadata`. */
const JSON_TEXTS = [
  '',
  '{}',
  '[]',
  'null',
  '"text"',
  '5',
  '{"n":5}',
  '{"b":1,"a":2}',
  '{"a":1,"a":2}',
  '{"a":1,"b":2}',
  '{ "a":1}',
  '{"a":1.0}',
  '{"a":1.5}',
  '{"a":1e2}',
  '{"a":-0}',
  '{"a":-7}',
  '{"a":05}',
  '{"a":123456789012345}',
  '{"a":1234567890123456}',
  '{"a":9007199254740993}',
  '{"a":"é"}',
  '{"é":1}',
  '{"a":"\\u2028"}',
  '{"a":"\\n"}',
  '{"a":"\\\\"}',
  '{"a\\"b":1}',
  '{"a":[1,"x",null,true,false,{}]}',
  '{"a":{"c":1,"b":2}}',
  '{"a0":1,"a":2}',
  '{"a":1,"a0":2}',
  '{"A":1,"a":2}',
  '{"\uffff":1,"𝄞":2}',
  '{"𝄞":1,"\uffff":2}',
  '{"__proto__":1}',
  '{"a":NaN}',
  '{"a":1',
  `${'['.repeat(20)}${']'.repeat(20)}`,
  `${'{"a":'.repeat(17)}1${'}'.repeat(17)}`,
];

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '',
    '"',
    '\\',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u2028',
    '\ud800',
    'é',
    '𝄞',
    ERASURE_ACTION,
    PURGE_ACTION,
  ),
);

const jsonText = fc.oneof(
  fc.constantFrom(...JSON_TEXTS),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.jsonValue({ maxDepth: 3 }).map((value) => canonicalJson(value)),
  fc
    .dictionary(fc.string({ unit: 'binary-ascii', maxLength: 4 }), fc.integer(), { maxKeys: 4 })
    .map(canonicalJson),
);

/** What a server (or a file edited behind it) might send in place of a row's member. */
const wrongValue = fc.constantFrom<unknown>(
  null,
  0,
  -1,
  1.5,
  true,
  '',
  'zz',
  'AB'.repeat(32),
  [],
  {},
  ['x'],
  'ab'.repeat(33),
);

const rowCase = fc.record({
  position: fc.nat(2_000_000),
  fields: fc.array(hostileText, { minLength: 18, maxLength: 18 }),
  changes: jsonText,
  metadata: jsonText,
  keepPlain: fc.boolean(),
  salted: fc.boolean(),
  damage: fc.option(
    fc.oneof(
      fc.record({ member: fc.nat(9), value: wrongValue }),
      fc.record({ field: fc.nat(18), value: fc.oneof(hostileText, wrongValue) }),
      fc.record({ purge: fc.constant(true) }),
      fc.record({ upper: fc.constant(true) }),
      fc.record({ position: fc.constantFrom(-1, 1, 0.5) }),
      fc.record({ byte: fc.nat(5000), to: fc.constantFrom(0x20, 0x5c, 0x22, 0x2c, 0x5d, 0x30, 0x0a, 0x41) }),
    ),
  ),
});

/** `value` with what JSON escapes (quote, backslash, control characters, surrogates) made "_". */
function plain(value: string): string {
  let out = '';
  for (const unit of value) {
    const code = unit.charCodeAt(0);
    const escaped = unit === '"' || unit === '\\' || code < 0x20 || (code >= 0xd800 && code <= 0xdfff);
    out += escaped ? '_' : unit;
  }
  return out;
}

describe('a leaf row split from its bytes is what JSON.parse and the general check make of it', () => {
  it('ordinary rows take the fast path and agree (checked, changed, moved, erased, purged)', () => {
    const fields = [...ORDINARY];
    const row = honestRow(7, fields);
    expect(expectTwinsAgree(JSON.stringify(row), 7)).toBe('fast');
    expect(
      leafOutcomeOfBytes(Buffer.from(JSON.stringify(row)), 0, JSON.stringify(row).length, 7)?.state,
    ).toBe('checked');
    const changed = [...row];
    changed[7] = [...fields.slice(0, 17), '{"n":6}'];
    expect(expectTwinsAgree(JSON.stringify(changed), 7)).toBe('fast');
    expect(slowOutcome(JSON.stringify(changed), 7)).toMatchObject({ state: 'changed' });
    const moved = [...row];
    moved[7] = ['log_other', ...fields.slice(1)];
    expect(expectTwinsAgree(JSON.stringify(moved), 7)).toBe('fast');
    expect(expectTwinsAgree(JSON.stringify(honestRow(7, fields, { salt: false })), 7)).toBe('fast');
    const purged = [...row];
    purged[7] = null;
    expect(expectTwinsAgree(JSON.stringify(purged), 7)).toBe('fast');
  });

  it('erasure and purge records, escapes and non-canonical JSON text are left to the general path', () => {
    for (const action of [ERASURE_ACTION, PURGE_ACTION]) {
      const fields = [...ORDINARY];
      fields[3] = action;
      expect(expectTwinsAgree(JSON.stringify(honestRow(1, fields)), 1)).toBe('declined');
    }
    for (const text of ['{"b":1,"a":2}', '{ "a":1}', '{"a":1.0}', '{"a":-0}', '{"a":"\\n"}']) {
      const fields = [...ORDINARY];
      fields[17] = text;
      expect(expectTwinsAgree(JSON.stringify(honestRow(1, fields)), 1)).toBe('declined');
    }
  });

  it('every JSON text of the list, as changes or metadata of an ordinary row, agrees', () => {
    for (const text of JSON_TEXTS)
      for (const field of [16, 17]) {
        const fields = [...ORDINARY];
        fields[field] = text;
        expectTwinsAgree(JSON.stringify(honestRow(2, fields)), 2);
        // The commitment made over the text as it is stored, not over its canonical form.
        const row = honestRow(2, fields);
        const salt = Buffer.from(row[6] as string, 'hex');
        row[5] = hex(commitmentOf(salt, fields));
        expectTwinsAgree(JSON.stringify(row), 2);
      }
  });

  it('an ordinary row with any one byte replaced, or bytes added at its end, agrees', () => {
    const line = JSON.stringify(honestRow(4, [...ORDINARY]));
    for (let at = 0; at < line.length; at++)
      for (const to of [0x20, 0x22, 0x2c, 0x30, 0x31, 0x5b, 0x5d, 0x5c, 0x41, 0x0a, 0x7d]) {
        const bytes = Buffer.from(line);
        bytes[at] = to;
        expectTwinsAgree(bytes, 4);
      }
    for (const tail of [' ', ']', ',0', ',null', '\n']) expectTwinsAgree(line + tail, 4);
  });

  it('a huge value in a field is split and hashed as the general path does', () => {
    const fields = [...ORDINARY];
    fields[4] = 'x'.repeat(300_000);
    fields[17] = canonicalJson({ big: 'y'.repeat(200_000), n: 1 });
    expect(expectTwinsAgree(JSON.stringify(honestRow(3, fields)), 3)).toBe('fast');
  });

  it('a leaf text longer than the scratch buffer (a huge id, time or category) hashes as the general path does', () => {
    for (const index of [0, 1, 2]) {
      const fields = [...ORDINARY];
      fields[index] = `${fields[index]}é€😀`.repeat(2_000);
      expect(expectTwinsAgree(JSON.stringify(honestRow(5, fields)), 5)).toBe('fast');
    }
  });

  it('property: hostile fields, JSON text, wrong types and damaged bytes never make the twins disagree', () => {
    let fast = 0;
    fc.assert(
      fc.property(rowCase, (c) => {
        const fields = c.keepPlain ? c.fields.map(plain) : c.fields;
        fields[16] = c.changes;
        fields[17] = c.metadata;
        const row: unknown[] = honestRow(c.position, fields, { salt: c.salted });
        const damage = c.damage;
        let line: string | Buffer;
        if (damage && 'member' in damage) {
          if (damage.member < 8) row[damage.member] = damage.value;
          else row.push(damage.value);
        }
        if (damage && 'field' in damage) (row[7] as unknown[])[damage.field] = damage.value;
        if (damage && 'purge' in damage) row[7] = null;
        if (damage && 'upper' in damage) row[5] = (row[5] as string).toUpperCase();
        if (damage && 'position' in damage) row[0] = c.position + damage.position;
        line = JSON.stringify(row);
        if (damage && 'byte' in damage) {
          const bytes = Buffer.from(line);
          bytes[damage.byte % bytes.length] = damage.to;
          line = bytes;
        }
        if (expectTwinsAgree(line, c.position) === 'fast') fast++;
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: a good share of the rows took the fast path.
    expect(fast).toBeGreaterThan(300);
  });
});
