import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportRowToEvent } from '../../src/domain/export-stream.js';
import { hashNdjsonChunk } from '../../src/export/proof/ndjson-chunk.js';
import { stringifyJsonSafely } from '../../src/format/sanitize.js';
import { hostileLine, ndjsonLine } from '../helpers/hostile-ndjson-lines.js';

// hashNdjsonChunk reads a line in the exporter's plain layout from its bytes and parses any
// other: whatever the mix, the run's rows, lines, kinds, hashes, headers and problems must be
// those of parsing every line.

const salts = randomBytes(32 * 64);

function expectSameChunk(bytes: Buffer, firstLine: boolean, firstIndex: number, count: number): void {
  const fast = hashNdjsonChunk(bytes, firstLine, firstIndex, salts, count);
  const parsed = hashNdjsonChunk(bytes, firstLine, firstIndex, salts, count, false);
  expect(fast).toEqual(parsed);
}

function exportedLine(n: number, description: string | null): string {
  const row = [
    `01HZZ${String(n).padStart(21, '0')}`,
    new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
    n % 4 === 0 ? 'security' : 'tunnel',
    'tunnel.deleted',
    description,
    `user_${n}`,
    'Alice Chen',
    'alice@example.com',
    'user',
    null,
    null,
    null,
    '203.0.113.7',
    'Mozilla/5.0',
    null,
    null,
    n % 5 === 0 ? { role: { old: 'member', new: 'admin' } } : null,
    { n, region: 'eu-west-1' },
  ];
  return stringifyJsonSafely(exportRowToEvent(row));
}

describe('a run of NDJSON lines hashes the same with the byte-level fast path as parsed line by line', () => {
  it('exported lines, blank lines, a byte order mark, unreadable lines and rows past the count', () => {
    const lines = Array.from({ length: 40 }, (_, n) =>
      exportedLine(n, n % 3 === 0 ? `Deleted "prod" ${n}` : null),
    );
    lines.splice(5, 0, '', '   ', '\r');
    // Not JSON's white space: rows that are not events, on either path.
    lines.splice(9, 0, '\u00a0', '\u2028');
    lines.splice(12, 0, '{"id":', 'not json', '[1,2]', '{"id":"x","changes":{"a":1e999}}');
    lines.push('');
    const text = lines.join('\n');
    for (const firstIndex of [0, 3])
      for (const count of [0, 10, 30, 64]) {
        expectSameChunk(Buffer.from(text), true, firstIndex, count);
        expectSameChunk(Buffer.from(`\ufeff${text}`), true, firstIndex, count);
        expectSameChunk(Buffer.from(`\ufeff${text}`), false, firstIndex, count);
      }
    expect(hashNdjsonChunk(Buffer.from(`\ufeff${text}`), true, 0, salts, 64).problems).toHaveLength(6);
  });

  it('a run that is not valid UTF-8 is parsed line by line, with the same answer', () => {
    const bytes = Buffer.from(
      [exportedLine(1, null), exportedLine(2, 'x'), exportedLine(3, null)].join('\n'),
    );
    const broken = Buffer.concat([bytes, Buffer.from('\n{"id":"\xff"}', 'latin1')]);
    expect(isUtf8(broken)).toBe(false);
    expectSameChunk(broken, true, 0, 64);
  });

  it('an empty run, and one of a single newline', () => {
    expectSameChunk(Buffer.alloc(0), true, 0, 64);
    expectSameChunk(Buffer.from('\n'), false, 5, 64);
  });

  it('property: runs of hostile lines, blank lines and a byte order mark hash the same either way', () => {
    const blank = fc.constantFrom('', ' ', '\t', '\r', '\ufeff').map((text) => Buffer.from(text));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: hostileLine },
            { weight: 3, arbitrary: ndjsonLine(0) },
            { weight: 1, arbitrary: blank },
          ),
          {
            maxLength: 12,
          },
        ),
        fc.boolean(),
        fc.boolean(),
        fc.nat(20),
        fc.nat(64),
        (lines, bom, firstLine, firstIndex, count) => {
          const joined = Buffer.concat(
            lines.flatMap((line, i) => (i === 0 ? [line] : [Buffer.from('\n'), line])),
          );
          const bytes = bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), joined]) : joined;
          expectSameChunk(bytes, firstLine, firstIndex, count);
        },
      ),
      { numRuns: 500 },
    );
  });
});
