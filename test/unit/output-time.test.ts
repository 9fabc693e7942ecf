import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, isValidTimeZone, zoneLabel } from '../../src/format/time-format.js';

const WINTER = '2024-01-15T14:32:18.123Z';
const SUMMER = '2024-07-15T14:32:18.123Z';

describe('formatTimestamp', () => {
  it.each([
    ['UTC', WINTER, '2024-01-15 14:32:18'],
    ['Europe/Paris', WINTER, '2024-01-15 15:32:18'],
    ['Europe/Paris', SUMMER, '2024-07-15 16:32:18'],
    ['America/New_York', WINTER, '2024-01-15 09:32:18'],
    ['America/New_York', SUMMER, '2024-07-15 10:32:18'],
    ['Asia/Kolkata', WINTER, '2024-01-15 20:02:18'],
  ])('shows the wall clock of %s (%s)', (zone, iso, expected) => {
    expect(formatTimestamp(iso, zone)).toBe(expected);
  });

  it('uses a 24-hour clock that starts at 00, not 24', () => {
    expect(formatTimestamp('2024-01-15T00:05:09.000Z', 'UTC')).toBe('2024-01-15 00:05:09');
    expect(formatTimestamp('2024-01-15T23:59:59.999Z', 'UTC')).toBe('2024-01-15 23:59:59');
  });

  it('moves the date when the zone is on another day', () => {
    expect(formatTimestamp('2024-01-01T02:00:00.000Z', 'America/New_York')).toBe('2023-12-31 21:00:00');
    expect(formatTimestamp('2023-12-31T20:00:00.000Z', 'Asia/Kolkata')).toBe('2024-01-01 01:30:00');
  });

  it('shows an unparseable timestamp as it is, made safe', () => {
    expect(formatTimestamp('not a time\x1b[2J', 'UTC')).toBe('not a time');
  });
});

describe('zoneLabel', () => {
  it.each([
    ['UTC', WINTER, 'UTC'],
    ['Europe/Paris', WINTER, 'CET'],
    ['Europe/Paris', SUMMER, 'CEST'],
    ['America/New_York', WINTER, 'EST'],
    ['America/New_York', SUMMER, 'EDT'],
    ['Asia/Kolkata', WINTER, 'GMT+5:30'],
  ])('names %s at %s %s', (zone, iso, expected) => {
    expect(zoneLabel(zone, new Date(iso))).toBe(expected);
  });

  it('names UTC as Intl does at any instant, told without Intl; an invalid one throws as Intl does', () => {
    const intl = (at: Date) =>
      new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', timeZoneName: 'short' })
        .formatToParts(at)
        .find((part) => part.type === 'timeZoneName')?.value;
    const extremes = [-8.64e15, 8.64e15, 0, -1, -62_198_755_200_000].map((ms) => new Date(ms));
    for (const at of extremes) expect(zoneLabel('UTC', at)).toBe(intl(at));
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (at) => {
        expect(zoneLabel('UTC', at)).toBe(intl(at));
        expect(zoneLabel('UTC', at.getTime())).toBe(intl(at));
        expect(zoneLabel('UTC', at.toISOString())).toBe(intl(at));
      }),
      { numRuns: 500 },
    );
    for (const invalid of [Number.NaN, 'not a time', new Date(Number.NaN), 8.64e15 + 1])
      expect(() => zoneLabel('UTC', invalid)).toThrow(RangeError);
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and rejects anything else', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
