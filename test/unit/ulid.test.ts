import { describe, expect, it } from 'vitest';
import { EVENT_ID_PATTERN, isEventId } from '../../src/domain/event-id.js';
import { createUlidFactory, newEventId, ulidTime } from '../../src/domain/ulid.js';

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function decodeBase32(text: string): bigint {
  return [...text].reduce((value, char) => value * 32n + BigInt(CROCKFORD_BASE32.indexOf(char)), 0n);
}

describe('createUlidFactory', () => {
  it('makes 26-character Crockford base32 ids', () => {
    const nextUlid = createUlidFactory();
    for (let i = 0; i < 100; i++) expect(nextUlid()).toMatch(ULID_PATTERN);
  });

  it('stays strictly increasing for 10,000 ids in the same millisecond', () => {
    const nextUlid = createUlidFactory(() => 1_700_000_000_000);
    const ids = Array.from({ length: 10_000 }, () => nextUlid());
    for (let i = 1; i < ids.length; i++) expect((ids[i] as string) > (ids[i - 1] as string)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(0, 10))).size).toBe(1);
    const randomParts = ids.map((id) => decodeBase32(id.slice(10)));
    for (let i = 1; i < randomParts.length; i++) {
      expect((randomParts[i] as bigint) - (randomParts[i - 1] as bigint)).toBe(1n);
    }
  });

  it('sorts by creation order across milliseconds', () => {
    let clock = 1_000;
    const nextUlid = createUlidFactory(() => clock);
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      if (i % 7 === 0) clock += 1;
      ids.push(nextUlid());
    }
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps increasing when the clock goes backwards', () => {
    const readings = [5_000, 5_000, 4_000, 3_000, 5_001];
    const nextUlid = createUlidFactory(() => readings.shift() ?? 5_001);
    const ids = Array.from({ length: 5 }, () => nextUlid());
    expect([...ids].sort()).toEqual(ids);
    expect(ids.slice(0, 4).map(ulidTime)).toEqual([5_000, 5_000, 5_000, 5_000]);
    expect(ulidTime(ids[4] as string)).toBe(5_001);
  });

  it('encodes the clock reading in the first 10 characters', () => {
    expect(createUlidFactory(() => 0)().slice(0, 10)).toBe('0000000000');
    expect(createUlidFactory(() => 2 ** 48 - 1)().slice(0, 10)).toBe('7ZZZZZZZZZ');
  });

  it('rejects times outside 48 bits', () => {
    expect(() => createUlidFactory(() => -1)()).toThrow(RangeError);
    expect(() => createUlidFactory(() => 2 ** 48)()).toThrow(RangeError);
    expect(() => createUlidFactory(() => 1.5)()).toThrow(RangeError);
  });
});

describe('ulidTime', () => {
  it('decodes the time a ULID was made at', () => {
    const time = Date.UTC(2024, 0, 15, 14, 32, 18, 123);
    expect(ulidTime(createUlidFactory(() => time)())).toBe(time);
    expect(ulidTime('01ARYZ6S41TSV4RRFFQ69G5FAV')).toBe(1_469_918_176_385);
  });

  it('accepts lowercase and rejects what is not a ULID', () => {
    expect(ulidTime('01aryz6s41tsv4rrffq69g5fav')).toBe(1_469_918_176_385);
    expect(() => ulidTime('01ARZ3NDEKTSV4RRFFQ69G5FA')).toThrow(/not a ULID/);
    expect(() => ulidTime('01ARZ3NDEKTSV4RRFFQ69G5FAU')).toThrow(/not a ULID/);
    expect(() => ulidTime('8ZZZZZZZZZ0000000000000000')).toThrow(/48 bits/);
  });
});

describe('event ids', () => {
  it('are log_ + a ULID and match the pattern', () => {
    const id = newEventId();
    expect(id).toMatch(EVENT_ID_PATTERN);
    expect(isEventId(id)).toBe(true);
    expect(Math.abs(ulidTime(id.slice(4)) - Date.now())).toBeLessThan(5_000);
  });

  it('are monotonic from the module-level factory', () => {
    const ids = Array.from({ length: 1_000 }, () => newEventId());
    expect([...ids].sort()).toEqual(ids);
  });

  it("accepts a sender's own id of the documented shape: log_ and 1 to 64 of [A-Za-z0-9_-]", () => {
    expect(isEventId('log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E')).toBe(true);
    expect(isEventId('log_1a2b3c4d5e6f')).toBe(true);
    expect(isEventId('log_01jd3x8q5v4w7y9z2a3b4c5d6e')).toBe(true);
    expect(isEventId('log_order-42_retry')).toBe(true);
    expect(isEventId(`log_${'x'.repeat(64)}`)).toBe(true);
  });

  it('rejects ids a path, a terminal or a CSV cell could misread', () => {
    expect(isEventId('01JD3X8Q5V4W7Y9Z2A3B4C5D6E')).toBe(false);
    expect(isEventId('log_')).toBe(false);
    expect(isEventId(`log_${'x'.repeat(65)}`)).toBe(false);
    expect(isEventId('log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E\n')).toBe(false);
    for (const bad of ['log_a/b', 'log_a b', 'log_a.b', 'log_a%2F', 'log_\u001b[31m', 'log_é', 'LOG_abc']) {
      expect(isEventId(bad)).toBe(false);
    }
  });
});
