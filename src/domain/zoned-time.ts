/**
 * Time-zone arithmetic on IANA zones with nothing but Intl: the offset of a zone at an instant,
 * and the instant of a wall-clock time in a zone (DST gaps and overlaps resolved deterministically).
 */
import { DATE_ONLY } from './date-patterns.js';

export interface ZonedFields {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  ms?: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** Wall-clock fields read as if they were UTC (years 0–99 included, unlike Date.UTC). */
function fieldsAsUtc(fields: ZonedFields): number {
  const date = new Date(0);
  date.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  date.setUTCHours(fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0, fields.ms ?? 0);
  return date.getTime();
}

/** The wall-clock date and time in `zone` at the instant `utcMs` (milliseconds included). */
export function zonedFields(utcMs: number, zone: string): Required<ZonedFields> {
  // UTC needs no zone data: the first Intl formatter a process makes costs 30–50 ms (ICU
  // loading), which `--utc` commands such as a scripted export would otherwise pay at start.
  if (zone === 'UTC') {
    const date = new Date(utcMs);
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      ms: date.getUTCMilliseconds(),
    };
  }
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(new Date(utcMs))) parts[part.type] = part.value;
  const year = Number(parts.year);
  const bc = parts.era === 'BC' || parts.era === 'B';
  return {
    year: bc ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    ms: ((utcMs % 1000) + 1000) % 1000,
  };
}

/** How far `zone`'s wall clock is ahead of UTC at the instant `utcMs`, in milliseconds. */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  const wholeSecond = Math.floor(utcMs / 1000) * 1000;
  return fieldsAsUtc({ ...zonedFields(wholeSecond, zone), ms: 0 }) - wholeSecond;
}

/**
 * The instant at which `zone`'s wall clock shows `fields`. A time that falls in a DST gap does
 * not exist: it is read with the offset in force before the gap, which lands the same distance
 * after the gap (02:30 on a spring-forward night at 02:00 becomes 03:30; a midnight that does not
 * exist becomes the instant the day begins). A time shown twice (fall back) is the earlier one.
 */
export function zonedDateTimeToUtc(fields: ZonedFields, zone: string): number {
  const local = fieldsAsUtc(fields);
  // No zone changes its offset twice within two days, so the offsets a day either side are
  // the only candidates.
  const before = zoneOffsetMs(zone, local - DAY_MS);
  const after = zoneOffsetMs(zone, local + DAY_MS);
  const valid = [...new Set([before, after])]
    .map((offset) => local - offset)
    .filter((instant) => zoneOffsetMs(zone, instant) === local - instant)
    .sort((a, b) => a - b);
  return valid[0] ?? local - before;
}

/** Start (first instant) of the day `YYYY-MM-DD` in `zone`; RangeError for a date that is not real. */
export function startOfZonedDay(dateText: string, zone: string): number {
  const fields = parseDateText(dateText);
  if (!fields) throw new RangeError(`not a date: ${dateText}`);
  return zonedDateTimeToUtc(fields, zone);
}

/** `YYYY-MM-DD` as fields, or undefined when it is malformed or not a real calendar day. */
export function parseDateText(text: string): { year: number; month: number; day: number } | undefined {
  const match = DATE_ONLY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** `YYYY-MM-DD` of the day `days` after `dateText` (negative: before). */
export function addDays(dateText: string, days: number): string {
  const fields = parseDateText(dateText);
  if (!fields) throw new RangeError(`not a date: ${dateText}`);
  return formatDate(fieldsAsUtc(fields) + days * DAY_MS, 'UTC');
}

/** `YYYY-MM-DD` of the instant `utcMs` as `zone`'s calendar shows it. */
export function formatDate(utcMs: number, zone: string): string {
  const { year, month, day } = zonedFields(utcMs, zone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return new Date(Date.UTC(2001, month, 0)).getUTCDate();
}

export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone the system runs in (honours `TZ`). When Intl has no name for it (a POSIX `TZ=JST-9`,
 * an empty `TZ`), the fixed zone of the system's present offset (`Etc/GMT-9`) when it is whole
 * hours, else UTC.
 */
export function systemTimeZone(): string {
  const named = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (named && isValidTimeZone(named)) return named;
  const offsetMinutes = -new Date().getTimezoneOffset();
  if (offsetMinutes === 0 || offsetMinutes % 60 !== 0 || Math.abs(offsetMinutes) > 14 * 60) return 'UTC';
  // The Etc zones' signs are POSIX's: Etc/GMT-9 is nine hours ahead of UTC.
  const hours = offsetMinutes / 60;
  return `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}
