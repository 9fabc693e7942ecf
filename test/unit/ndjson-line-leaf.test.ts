import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportRowToEvent } from '../../src/domain/export-stream.js';
import { eventRow } from '../../src/export/proof/export-rows.js';
import { HEADER, lineLeafHash } from '../../src/export/proof/ndjson-line-leaf.js';
import { rowLeafHash } from '../../src/export/proof/row-leaf.js';
import { stringifyJsonSafely } from '../../src/format/sanitize.js';
import { hostileLine } from '../helpers/hostile-ndjson-lines.js';

// lineLeafHash hashes an NDJSON line from its bytes; the general path parses it (eventRow) and
// hashes its fields (rowLeafHash). Wherever the fast path answers, the leaf and the header must
// be the general path's, and it must never answer for a line the general path refuses.

const salts = randomBytes(64);

/** The twins on one line: 'fast' when the fast path answered (and agreed), else why not. */
function expectTwinsAgree(line: Buffer): 'fast' | 'declined' | 'not-utf8' {
  // Bytes that are not UTF-8 never reach the fast path: hashNdjsonChunk checks each run.
  if (!isUtf8(line)) return 'not-utf8';
  const hash = new Uint8Array(40);
  const answered = lineLeafHash(line, 0, line.length, salts, 32, hash, 8);
  if (!answered) return 'declined';
  const row = eventRow(0, line.toString('utf8'));
  expect(row.problem).toBeUndefined();
  const fields = row.fields as string[];
  expect(Buffer.from(hash.subarray(8)).toString('hex')).toBe(
    rowLeafHash(fields, salts.subarray(32)).toString('hex'),
  );
  const headers = [0, 1, 2].map((f) =>
    line.toString('latin1', (HEADER[2 * f] as number) + 1, (HEADER[2 * f + 1] as number) - 1),
  );
  expect(headers).toEqual(fields.slice(0, 3));
  return 'fast';
}

const ORDINARY: unknown[] = [
  '01HZZ000000000000000000003',
  '2024-01-01T00:00:03.000Z',
  'tunnel',
  'tunnel.deleted',
  'Deleted tunnel api-3, "prod"',
  'user_3',
  'Alice Chen',
  'alice@example.com',
  'user',
  'tunnel',
  'tunnel_3',
  'api-3.example.net',
  '203.0.113.7',
  'Mozilla/5.0 (X11; Linux x86_64)',
  'team_1',
  'Eng',
  { role: { old: 'member', new: 'admin' } },
  { n: 3, region: 'eu-west-1' },
];

/** A line as `audit export` writes it (exportRowToEvent, then the NDJSON writer's JSON). */
function exportedLine(row: unknown[]): Buffer {
  return Buffer.from(stringifyJsonSafely(exportRowToEvent(row)));
}

describe('an NDJSON line hashed from its bytes is what eventRow and rowLeafHash make of it', () => {
  it('lines as the exporter writes them take the fast path: nulls, unsorted keys, escapes', () => {
    expect(expectTwinsAgree(exportedLine(ORDINARY))).toBe('fast');
    const nulls = ORDINARY.map((value, i) => (i < 3 ? value : null));
    expect(expectTwinsAgree(exportedLine(nulls))).toBe('fast');
    const escaped = [...ORDINARY];
    escaped[4] = 'tab\there "q" back\\slash\nnew\bline\f\r';
    escaped[17] = { z: ['\n"x"\\', 1, -2, true, false, null, {}], a: { c: 1, b: { y: 2, x: 3 } }, '': 'é𝄞' };
    expect(expectTwinsAgree(exportedLine(escaped))).toBe('fast');
    const empty = [...ORDINARY];
    empty[16] = {};
    empty[17] = { a: [] };
    expect(expectTwinsAgree(exportedLine(empty))).toBe('fast');
  });

  it('what JSON.stringify would not write back as sent is left to the general path', () => {
    for (const metadata of [
      '{"a":1.5}',
      '{"a":-0}',
      '{"a":1234567890123456}',
      '{"a":"\\u0041"}',
      '{"a":"\\/"}',
      '{"a":1,"a":2}',
      '{"b":1,"a":2,"b":3}',
      '{"__proto__":1}',
      '{ "a":1}',
      '[1]',
      '"x"',
      '5',
    ]) {
      const line = Buffer.from(
        exportedLine(ORDINARY)
          .toString()
          .replace(/"metadata":.*\}$/, `"metadata":${metadata}}`),
      );
      expect(expectTwinsAgree(line)).toBe('declined');
    }
    // A control character escaped as \u00XX by the writer, a bidi override as \u202e.
    for (const text of ['\u0001', '\u202e']) {
      const row = [...ORDINARY];
      row[6] = text;
      expect(expectTwinsAgree(exportedLine(row))).toBe('declined');
    }
  });

  it('an exported line with any one byte replaced takes the general path or hashes as it does', () => {
    for (const row of [ORDINARY, ORDINARY.map((value, i) => (i < 3 ? value : null))]) {
      const line = exportedLine(row);
      for (let at = 0; at < line.length; at++)
        for (const to of [
          0x00, 0x09, 0x20, 0x22, 0x2c, 0x2d, 0x30, 0x31, 0x3a, 0x5b, 0x5c, 0x5d, 0x41, 0x6e, 0x7b, 0x7d,
          0x80, 0xff,
        ]) {
          const bytes = Buffer.from(line);
          bytes[at] = to;
          expectTwinsAgree(bytes);
        }
    }
  });

  it('a huge field, and huge changes and metadata, hash as the general path does', () => {
    const row = [...ORDINARY];
    row[4] = 'x"\\'.repeat(200_000);
    row[16] = {
      big: 'y\n'.repeat(300_000),
      list: Array.from({ length: 3000 }, (_, i) => ({ [`k${3000 - i}`]: i })),
    };
    row[17] = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key${(i * 7919) % 3000}`, i]));
    expect(expectTwinsAgree(exportedLine(row))).toBe('fast');
  });

  it('property: hostile lines built token by token never make the twins disagree', () => {
    let fast = 0;
    let runs = 0;
    const seen = { fast: 0, declined: 0, 'not-utf8': 0 };
    fc.assert(
      fc.property(hostileLine, (line) => {
        runs++;
        const outcome = expectTwinsAgree(line);
        if (outcome === 'fast') fast++;
        seen[outcome]++;
      }),
      { numRuns: 4000 },
    );
    // Not vacuous: a good share of the lines took the fast path.
    expect(fast / runs, JSON.stringify(seen)).toBeGreaterThan(0.3);
    expect(seen.declined, JSON.stringify(seen)).toBeGreaterThan(runs / 10);
  });
});
