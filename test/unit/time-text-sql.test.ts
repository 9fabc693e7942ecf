import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { strftimeTimeTextSql, timeTextSql } from '../../src/store/time-text-sql.js';

// timeTextSql is a cheaper twin of strftimeTimeTextSql: both must give toISOString's text for
// every millisecond of years 0000–9999, and the same text (or NULL) for any other integer.
const db = new Database(':memory:');
afterAll(() => db.close());

const both = db.prepare(`SELECT ${timeTextSql('@ms')}, ${strftimeTimeTextSql('@ms')}`).raw(true);
const texts = (ms: number) => both.get({ ms }) as [string | null, string | null];

const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');
const DAY_MS = 86_400_000;

describe('the ISO time text SQLite builds', () => {
  it('holds the edges: years 0000 and 9999, 1970, leap days, day and second boundaries', () => {
    const edges = [
      FIRST_MS,
      Date.parse('0000-02-29T23:59:59.999Z'),
      LAST_MS,
      LAST_MS - 1,
      -1,
      0,
      1,
      999,
      1000,
      DAY_MS - 1,
      DAY_MS,
      -DAY_MS,
      -DAY_MS - 1,
      Date.parse('1900-02-28T23:59:59.999Z'),
      Date.parse('2000-02-29T12:00:00.000Z'),
      Date.parse('2024-02-29T23:59:59.999Z'),
      Date.parse('2100-03-01T00:00:00.000Z'),
      Date.parse('1969-12-31T23:59:59.000Z'),
    ];
    for (const ms of edges) {
      const expected = new Date(ms).toISOString();
      expect(texts(ms), String(ms)).toEqual([expected, expected]);
    }
  });

  it('equals toISOString for any millisecond of years 0000–9999', () => {
    const anyMs = fc.oneof(
      fc.integer({ min: FIRST_MS, max: LAST_MS }),
      fc.integer({ min: -3 * DAY_MS, max: 3 * DAY_MS }),
      // Near a day's boundary, where a rounding of fractional seconds would show.
      fc
        .tuple(
          fc.integer({ min: Math.ceil(FIRST_MS / DAY_MS) + 1, max: Math.floor(LAST_MS / DAY_MS) }),
          fc.integer({ min: -2, max: 1 }),
        )
        .map(([day, offset]) => day * DAY_MS + offset),
    );
    fc.assert(
      fc.property(anyMs, (ms) => {
        const expected = new Date(ms).toISOString();
        expect(texts(ms)).toEqual([expected, expected]);
      }),
      { numRuns: 20_000, seed: 0x1504 },
    );
  });

  it('equals the general form outside years 0000–9999 too (beyond what ingest stores)', () => {
    for (const ms of [FIRST_MS - 1, LAST_MS + 1, -(2 ** 53), 2 ** 53, Number.MIN_SAFE_INTEGER]) {
      const [fast, general] = texts(ms);
      expect(fast, String(ms)).toBe(general);
    }
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (ms) => {
        const [fast, general] = texts(ms);
        expect(fast).toBe(general);
      }),
      { numRuns: 5000, seed: 0x1505 },
    );
  });
});
