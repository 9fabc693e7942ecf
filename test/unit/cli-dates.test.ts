import { describe, expect, it } from 'vitest';
import {
  checkRange,
  displayZone,
  parseFromFlag,
  parseToFlag,
  validateSinceFlag,
} from '../../src/cli/dates.js';
import { UsageError } from '../../src/cli/errors.js';
import { systemTimeZone } from '../../src/domain/zoned-time.js';

// 10:20:30 UTC = 12:20:30 in Paris (CEST) = 03:20:30 in Los Angeles (PDT), all on 15 July.
const NOW = new Date('2024-07-15T10:20:30.000Z');
const UTC = { zone: 'UTC', now: NOW };
const PARIS = { zone: 'Europe/Paris', now: NOW };
const LA = { zone: 'America/Los_Angeles', now: NOW };

/** `2024-01-15T14:00Z` → `2024-01-15T14:00:00.000Z`; full instants unchanged. */
function full(short: string): string {
  return /T\d{2}:\d{2}Z$/.test(short) ? short.replace(/Z$/, ':00.000Z') : short;
}

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const usage = error as UsageError;
    expect(usage.exitCode).toBe(2);
    expect(usage.message).not.toContain('\n');
    return usage;
  }
  throw new Error('expected a UsageError');
}

describe('parseFromFlag', () => {
  // [text, UTC, Europe/Paris, America/Los_Angeles]; `Z` abbreviates `:00.000Z`.
  it.each([
    ['2024-01-15', '2024-01-15T00:00Z', '2024-01-14T23:00Z', '2024-01-15T08:00Z'],
    ['2024-07-15', '2024-07-15T00:00Z', '2024-07-14T22:00Z', '2024-07-15T07:00Z'],
    ['2024-02-29', '2024-02-29T00:00Z', '2024-02-28T23:00Z', '2024-02-29T08:00Z'],
    ['2024-01-15T14:00', '2024-01-15T14:00Z', '2024-01-15T13:00Z', '2024-01-15T22:00Z'],
    ['2024-01-15 14:00', '2024-01-15T14:00Z', '2024-01-15T13:00Z', '2024-01-15T22:00Z'],
    [
      '2024-07-15T14:00:05',
      '2024-07-15T14:00:05.000Z',
      '2024-07-15T12:00:05.000Z',
      '2024-07-15T21:00:05.000Z',
    ],
    [
      '2024-07-15T14:00:05.25',
      '2024-07-15T14:00:05.250Z',
      '2024-07-15T12:00:05.250Z',
      '2024-07-15T21:00:05.250Z',
    ],
    // Keywords follow the zone's calendar.
    ['today', '2024-07-15T00:00Z', '2024-07-14T22:00Z', '2024-07-15T07:00Z'],
    [' Today ', '2024-07-15T00:00Z', '2024-07-14T22:00Z', '2024-07-15T07:00Z'],
    ['yesterday', '2024-07-14T00:00Z', '2024-07-13T22:00Z', '2024-07-14T07:00Z'],
  ])('%s is read in the zone', (text, utc, paris, la) => {
    expect(parseFromFlag(text, UTC)).toBe(full(utc));
    expect(parseFromFlag(text, PARIS)).toBe(full(paris));
    expect(parseFromFlag(text, LA)).toBe(full(la));
  });

  it.each([
    // An instant with an offset or Z is taken as it is.
    ['2024-01-15T14:00:00Z', '2024-01-15T14:00Z'],
    ['2024-01-15T14:00Z', '2024-01-15T14:00Z'],
    ['2024-01-15t14:00:00z', '2024-01-15T14:00Z'],
    ['2024-01-15 14:00:00Z', '2024-01-15T14:00Z'],
    ['2024-01-15T14:00:00+01:00', '2024-01-15T13:00Z'],
    ['2024-01-15T14:00:00-0800', '2024-01-15T22:00Z'],
    ['2024-01-15T14:00:00.123Z', '2024-01-15T14:00:00.123Z'],
    // now, and relative durations counting back from it.
    ['now', '2024-07-15T10:20:30.000Z'],
    ['45s', '2024-07-15T10:19:45.000Z'],
    ['30m', '2024-07-15T09:50:30.000Z'],
    ['24h', '2024-07-14T10:20:30.000Z'],
    ['7d', '2024-07-08T10:20:30.000Z'],
    ['2w', '2024-07-01T10:20:30.000Z'],
  ])('%s is the same instant in every zone', (text, expected) => {
    for (const context of [UTC, PARIS, LA]) expect(parseFromFlag(text, context)).toBe(full(expected));
  });

  it('takes "today" from the zone\'s calendar, not UTC\'s', () => {
    // 02:00 UTC on 15 July is still 14 July in Los Angeles.
    const early = { zone: 'America/Los_Angeles', now: Date.parse('2024-07-15T02:00:00Z') };
    expect(parseFromFlag('today', early)).toBe('2024-07-14T07:00:00.000Z');
    expect(parseToFlag('today', early)).toBe('2024-07-15T06:59:59.999Z');
  });

  it('reads a day that changes clocks with its real length', () => {
    expect(parseFromFlag('2024-03-31', PARIS)).toBe('2024-03-30T23:00:00.000Z');
    expect(parseToFlag('2024-03-31', PARIS)).toBe('2024-03-31T21:59:59.999Z');
    expect(parseFromFlag('2024-03-31T02:30', PARIS)).toBe('2024-03-31T01:30:00.000Z');
    expect(parseFromFlag('2024-11-03T01:30', LA)).toBe('2024-11-03T08:30:00.000Z');
  });
});

describe('parseToFlag', () => {
  it.each([
    // A date includes that whole day: its last millisecond in the zone.
    ['2024-01-31', '2024-01-31T23:59:59.999Z', '2024-01-31T22:59:59.999Z', '2024-02-01T07:59:59.999Z'],
    ['2024-07-31', '2024-07-31T23:59:59.999Z', '2024-07-31T21:59:59.999Z', '2024-08-01T06:59:59.999Z'],
    ['2024-12-31', '2024-12-31T23:59:59.999Z', '2024-12-31T22:59:59.999Z', '2025-01-01T07:59:59.999Z'],
    ['today', '2024-07-15T23:59:59.999Z', '2024-07-15T21:59:59.999Z', '2024-07-16T06:59:59.999Z'],
    ['yesterday', '2024-07-14T23:59:59.999Z', '2024-07-14T21:59:59.999Z', '2024-07-15T06:59:59.999Z'],
    ['2024-01-31T14:00', '2024-01-31T14:00Z', '2024-01-31T13:00Z', '2024-01-31T22:00Z'],
    [
      '2024-01-31 14:00:59',
      '2024-01-31T14:00:59.000Z',
      '2024-01-31T13:00:59.000Z',
      '2024-01-31T22:00:59.000Z',
    ],
  ])('%s is read in the zone', (text, utc, paris, la) => {
    expect(parseToFlag(text, UTC)).toBe(full(utc));
    expect(parseToFlag(text, PARIS)).toBe(full(paris));
    expect(parseToFlag(text, LA)).toBe(full(la));
  });

  it.each([
    ['now', '2024-07-15T10:20:30.000Z'],
    ['2h', '2024-07-15T08:20:30.000Z'],
    ['2024-01-31T14:00:00Z', '2024-01-31T14:00Z'],
    ['2024-01-31T14:00:00+05:30', '2024-01-31T08:30Z'],
  ])('%s is the same instant in every zone', (text, expected) => {
    for (const context of [UTC, PARIS, LA]) expect(parseToFlag(text, context)).toBe(full(expected));
  });

  it('accepts a numeric now', () => {
    expect(parseToFlag('now', { zone: 'UTC', now: NOW.getTime() })).toBe('2024-07-15T10:20:30.000Z');
  });
});

const NOT_DATES = [
  ...['last tuesday', '', '   ', 'tomorrow', '7 days', 'line one\nline two'],
  ...'15/01/2024 2024-1-5 20240115 1705327200 24 -7d 1.5h 7y 2024-01-15T14 2024-01-15T14:00:00+1'.split(' '),
];
// Well-formed, but not a day or time that exists.
const NOT_REAL = [
  ...'2024-02-30 2023-02-29 2024-13-01 2024-04-31 2024-00-10 2024-02-30T10:00 2024-02-30T10:00:00Z'.split(
    ' ',
  ),
  ...'2024-01-15T24:00 2024-01-15T14:60 2024-01-15T14:00:60 2024-01-15T25:00:00Z'.split(' '),
];

describe('rejected dates', () => {
  it.each(NOT_DATES)('%j is not a date', (text) => {
    const from = usageError(() => parseFromFlag(text, PARIS));
    expect(from.message).toMatch(/^--from: ".*" is not a date; use 2024-01-31, 2024-01-31T14:00, .* or 24h$/);
    const to = usageError(() => parseToFlag(text, PARIS));
    expect(to.message).toMatch(/^--to: ".*" is not a date; use 2024-01-31, .* or now$/);
  });

  it.each(NOT_REAL)('%s is not a real date or time', (text) => {
    expect(usageError(() => parseFromFlag(text, UTC)).message).toBe(
      `--from: "${text}" is not a real date or time; use 2024-01-31, 2024-01-31T14:00, 2024-01-31T14:00:00Z`,
    );
    expect(usageError(() => parseToFlag(text, UTC)).message).toMatch(/^--to: ".*" is not a real date/);
  });

  it('rejects times outside the years 0001–9999', () => {
    expect(usageError(() => parseFromFlag('999999w', UTC)).message).toMatch(
      /^--from: "999999w" is out of range/,
    );
    expect(usageError(() => parseFromFlag('0000-01-01', UTC)).message).toMatch(/out of range/);
  });

  it('shortens very long input in the message', () => {
    const message = usageError(() => parseFromFlag('x'.repeat(500), UTC)).message;
    expect(message.length).toBeLessThan(200);
  });
});

describe('validateSinceFlag', () => {
  it.each(['30m', '24h', '7d', '30d', '2w', '45s'])('accepts %j as it is', (text) => {
    expect(validateSinceFlag(text)).toBe(text);
  });

  it('trims surrounding spaces', () => {
    expect(validateSinceFlag(' 7d ')).toBe('7d');
  });

  it.each(['7', 'd', '7days', '1.5h', '-7d', '7D', '7y', '', '1234567d', '2024-01-01'])(
    'rejects %j',
    (text) => {
      expect(usageError(() => validateSinceFlag(text)).message).toBe(
        `--since: ${JSON.stringify(text)} is not a duration; use 30m, 24h, 7d or 2w`,
      );
    },
  );
});

describe('checkRange', () => {
  it('accepts ordered, equal and open ranges', () => {
    expect(() => checkRange('2024-01-01T00:00:00.000Z', '2024-01-31T23:59:59.999Z')).not.toThrow();
    expect(() => checkRange('2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')).not.toThrow();
    expect(() => checkRange(undefined, '2024-01-01T00:00:00.000Z')).not.toThrow();
    expect(() => checkRange('2024-01-01T00:00:00.000Z', undefined)).not.toThrow();
  });

  it('rejects --from after --to', () => {
    const from = parseFromFlag('2024-02-01', PARIS);
    const to = parseToFlag('2024-01-31', PARIS);
    expect(usageError(() => checkRange(from, to)).message).toBe(
      '--from (2024-01-31T23:00:00.000Z) is after --to (2024-01-31T22:59:59.999Z); swap them or widen the range',
    );
  });
});

describe('displayZone', () => {
  it('prefers --utc, then --tz, then TZ, then the system zone', () => {
    expect(displayZone({ utc: true, tz: 'Europe/Paris', env: { TZ: 'Asia/Tokyo' } })).toBe('UTC');
    expect(displayZone({ tz: 'Europe/Paris', env: { TZ: 'Asia/Tokyo' } })).toBe('Europe/Paris');
    expect(displayZone({ env: { TZ: 'Asia/Tokyo' } })).toBe('Asia/Tokyo');
    expect(displayZone({ env: { TZ: ':America/New_York' } })).toBe('America/New_York');
    expect(displayZone({ env: { TZ: 'Nowhere/Special' } })).toBe(systemTimeZone());
    expect(displayZone({ env: {} })).toBe(systemTimeZone());
    expect(displayZone({})).toBe(systemTimeZone());
  });

  it('rejects an unknown --tz in one line', () => {
    expect(usageError(() => displayZone({ tz: 'Mars/Olympus_Mons' })).message).toBe(
      '--tz: "Mars/Olympus_Mons" is not a known time zone; use an IANA name like Europe/Paris, America/New_York or UTC',
    );
    usageError(() => displayZone({ tz: '' }));
  });
});
