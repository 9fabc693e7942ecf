import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  addDays,
  formatDate,
  isValidTimeZone,
  parseDateText,
  startOfZonedDay,
  systemTimeZone,
  zonedDateTimeToUtc,
  zonedFields,
  zoneOffsetMs,
} from '../../src/domain/zoned-time.js';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('zoneOffsetMs', () => {
  it.each([
    ['UTC', '2024-01-15T12:00:00Z', 0],
    ['UTC', '2024-07-15T12:00:00Z', 0],
    ['Europe/Paris', '2024-01-15T12:00:00Z', 1 * HOUR],
    ['Europe/Paris', '2024-07-15T12:00:00Z', 2 * HOUR],
    ['America/New_York', '2024-01-15T12:00:00Z', -5 * HOUR],
    ['America/New_York', '2024-07-15T12:00:00Z', -4 * HOUR],
    ['America/Los_Angeles', '2024-07-15T12:00:00Z', -7 * HOUR],
    ['Asia/Kolkata', '2024-01-15T12:00:00Z', 5.5 * HOUR],
    ['Asia/Kolkata', '2024-07-15T12:00:00Z', 5.5 * HOUR],
    // Lord Howe Island moves its clocks by 30 minutes: +11 in summer, +10:30 in winter.
    ['Australia/Lord_Howe', '2024-01-15T12:00:00Z', 11 * HOUR],
    ['Australia/Lord_Howe', '2024-07-15T12:00:00Z', 10.5 * HOUR],
    ['Asia/Kathmandu', '2024-07-15T12:00:00Z', 5.75 * HOUR],
  ])('%s at %s is %d ms', (zone, instant, offset) => {
    expect(zoneOffsetMs(zone, at(instant))).toBe(offset);
  });

  it('changes exactly at the transition instant (Paris, spring and autumn 2024)', () => {
    expect(zoneOffsetMs('Europe/Paris', at('2024-03-31T00:59:59.999Z'))).toBe(HOUR);
    expect(zoneOffsetMs('Europe/Paris', at('2024-03-31T01:00:00Z'))).toBe(2 * HOUR);
    expect(zoneOffsetMs('Europe/Paris', at('2024-10-27T00:59:59Z'))).toBe(2 * HOUR);
    expect(zoneOffsetMs('Europe/Paris', at('2024-10-27T01:00:00Z'))).toBe(HOUR);
  });

  it('works for instants before 1970 and with sub-second precision', () => {
    expect(zoneOffsetMs('America/New_York', at('1969-07-20T20:17:40.5Z'))).toBe(-4 * HOUR);
  });
});

describe('zonedDateTimeToUtc', () => {
  it('reads an ordinary wall time with the offset in force', () => {
    expect(iso(zonedDateTimeToUtc({ year: 2024, month: 1, day: 15, hour: 14 }, 'Europe/Paris'))).toBe(
      '2024-01-15T13:00:00.000Z',
    );
    expect(
      iso(zonedDateTimeToUtc({ year: 2024, month: 7, day: 15, hour: 9, minute: 5, second: 7, ms: 8 }, 'UTC')),
    ).toBe('2024-07-15T09:05:07.008Z');
    expect(iso(zonedDateTimeToUtc({ year: 2024, month: 1, day: 15, hour: 14 }, 'Asia/Kolkata'))).toBe(
      '2024-01-15T08:30:00.000Z',
    );
  });

  it.each([
    // A wall time inside a gap is read with the offset before it, so it lands as far after the gap.
    ['Europe/Paris', { year: 2024, month: 3, day: 31, hour: 2, minute: 30 }, '2024-03-31T01:30:00.000Z'],
    ['Europe/Paris', { year: 2024, month: 3, day: 31, hour: 2 }, '2024-03-31T01:00:00.000Z'],
    ['America/New_York', { year: 2024, month: 3, day: 10, hour: 2, minute: 30 }, '2024-03-10T07:30:00.000Z'],
    [
      'Australia/Lord_Howe',
      { year: 2024, month: 10, day: 6, hour: 2, minute: 15 },
      '2024-10-05T15:45:00.000Z',
    ],
  ])('a nonexistent time in %s (%o) becomes the instant after the gap', (zone, fields, expected) => {
    expect(iso(zonedDateTimeToUtc(fields, zone))).toBe(expected);
  });

  it.each([
    // A wall time shown twice is the earlier instant (still on summer time).
    ['Europe/Paris', { year: 2024, month: 10, day: 27, hour: 2, minute: 30 }, '2024-10-27T00:30:00.000Z'],
    ['America/New_York', { year: 2024, month: 11, day: 3, hour: 1, minute: 30 }, '2024-11-03T05:30:00.000Z'],
    [
      'Australia/Lord_Howe',
      { year: 2024, month: 4, day: 7, hour: 1, minute: 45 },
      '2024-04-06T14:45:00.000Z',
    ],
  ])('an ambiguous time in %s (%o) is the earlier instant', (zone, fields, expected) => {
    expect(iso(zonedDateTimeToUtc(fields, zone))).toBe(expected);
  });

  it('round-trips wall times all through 2024 in zones with odd and shifting offsets', () => {
    const mismatches: string[] = [];
    for (const zone of ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
      // 193 minutes: a step that visits every hour and many minutes of the day over the year.
      for (let t = at('2024-01-01T00:00:00Z'); t < at('2025-01-01T00:00:00Z'); t += 193 * 60_000) {
        const fields = zonedFields(t, zone);
        const back = zonedDateTimeToUtc(fields, zone);
        // Equal, or the earlier reading of a wall time that the autumn overlap shows twice.
        const sameWallTime = JSON.stringify(zonedFields(back, zone)) === JSON.stringify(fields);
        if (!sameWallTime || back > t) mismatches.push(`${zone} ${iso(t)} -> ${iso(back)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('startOfZonedDay', () => {
  it.each([
    ['2024-01-15', 'UTC', '2024-01-15T00:00:00.000Z'],
    ['2024-01-15', 'Europe/Paris', '2024-01-14T23:00:00.000Z'],
    ['2024-07-15', 'Europe/Paris', '2024-07-14T22:00:00.000Z'],
    ['2024-01-15', 'America/Los_Angeles', '2024-01-15T08:00:00.000Z'],
    ['2024-01-15', 'Asia/Kolkata', '2024-01-14T18:30:00.000Z'],
    // Brazil's 2018 spring-forward skipped midnight: the day began at 01:00.
    ['2018-11-04', 'America/Sao_Paulo', '2018-11-04T03:00:00.000Z'],
    // Samoa skipped 30 December 2011 entirely: that "day" begins when 31 December does.
    ['2011-12-30', 'Pacific/Apia', '2011-12-30T10:00:00.000Z'],
    ['2011-12-31', 'Pacific/Apia', '2011-12-30T10:00:00.000Z'],
  ])('%s in %s starts at %s', (date, zone, expected) => {
    expect(iso(startOfZonedDay(date, zone))).toBe(expected);
  });

  it('rejects dates that are not real', () => {
    expect(() => startOfZonedDay('2024-02-30', 'UTC')).toThrow(RangeError);
    expect(() => startOfZonedDay('2024-1-5', 'UTC')).toThrow(RangeError);
  });
});

describe('calendar helpers', () => {
  it('parses real dates only', () => {
    expect(parseDateText('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseDateText('2000-02-29')).toBeDefined();
    for (const text of ['2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00']) {
      expect(parseDateText(text)).toBeUndefined();
    }
  });

  it('adds days across months and years, and formats in a zone', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(formatDate(at('2024-07-15T02:00:00Z'), 'America/Los_Angeles')).toBe('2024-07-14');
    expect(formatDate(at('2024-07-15T23:00:00Z'), 'Asia/Tokyo')).toBe('2024-07-16');
  });
});

describe('zone names', () => {
  it('knows IANA zones and rejects others', () => {
    for (const zone of ['UTC', 'Europe/Paris', 'America/Los_Angeles', 'Australia/Lord_Howe', 'Etc/GMT+5']) {
      expect(isValidTimeZone(zone)).toBe(true);
    }
    for (const zone of ['', ' ', 'Mars/Olympus_Mons', 'Europe/Pariss', 'not a zone']) {
      expect(isValidTimeZone(zone)).toBe(false);
    }
  });

  it('reports the system zone as a valid zone', () => {
    expect(isValidTimeZone(systemTimeZone())).toBe(true);
  });
});

describe('UTC without zone data', () => {
  it('reads the same fields as the zone data does, over years -9999 to 9999', () => {
    // Etc/UTC is the same zone under another name: it still goes through Intl.
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(-9999, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        expect(zonedFields(ms, 'UTC')).toEqual(zonedFields(ms, 'Etc/UTC'));
      }),
      { numRuns: 3000 },
    );
  });

  it('makes no Intl formatter for UTC dates and offsets', async () => {
    vi.resetModules();
    const fresh = await import('../../src/domain/zoned-time.js');
    const original = Intl.DateTimeFormat;
    let made = 0;
    Intl.DateTimeFormat = new Proxy(original, {
      construct(target, args) {
        made++;
        return Reflect.construct(target, args);
      },
    });
    try {
      expect(fresh.startOfZonedDay('2026-03-29', 'UTC')).toBe(Date.UTC(2026, 2, 29));
      expect(fresh.formatDate(Date.UTC(2026, 2, 29, 23, 59), 'UTC')).toBe('2026-03-29');
      expect(made).toBe(0);
      fresh.startOfZonedDay('2026-03-29', 'Europe/Paris');
      expect(made).toBeGreaterThan(0);
    } finally {
      Intl.DateTimeFormat = original;
    }
  });
});
