/**
 * The date flags (`--from`, `--to`, `--since`): dates and local times are read in the display
 * time zone and become UTC instants, so `--from 2024-01-01` means midnight where the user is.
 * Pure: the CLI turns a DateFlagError into its usage error; the exporter's plan uses it as is.
 */
import { DATE_ONLY, DURATION, LOCAL_TIME, TYPED_INSTANT } from './date-patterns.js';
import { parseDurationMs, parseInstant } from './time.js';
import { addDays, formatDate, parseDateText, startOfZonedDay, zonedDateTimeToUtc } from './zoned-time.js';

export interface DateContext {
  /** IANA zone the user's dates and local times are read in. */
  zone: string;
  now: Date | number;
}

/** A date flag the user got wrong; the message names the flag and says what to type. */
export class DateFlagError extends Error {
  override readonly name = 'DateFlagError';
}

const MIN_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z: ISO strings keep four-digit years
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const EXAMPLES = '2024-01-31, 2024-01-31T14:00, 2024-01-31T14:00:00Z';

/** `--from`: the first instant to include, as an ISO 8601 UTC string. */
export function parseFromDate(text: string, context: DateContext): string {
  return parseDateFlag('--from', text, context, 'start');
}

/** `--to`: the last instant to include (the server's `to` is inclusive); a day means all of it. */
export function parseToDate(text: string, context: DateContext): string {
  return parseDateFlag('--to', text, context, 'end');
}

/** `--since`: kept as it is, once it has the server's form (digits + s|m|h|d|w). */
export function parseSince(text: string): string {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) {
    throw new DateFlagError(`--since: ${quote(text)} is not a duration; use 30m, 24h, 7d or 2w`);
  }
  return trimmed;
}

/** Both bounds are ISO instants as the parsers above return them; equal bounds are one instant. */
export function assertOrderedRange(from: string | undefined, to: string | undefined): void {
  if (from === undefined || to === undefined) return;
  if (Date.parse(from) > Date.parse(to)) {
    throw new DateFlagError(`--from (${from}) is after --to (${to}); swap them or widen the range`);
  }
}

function parseDateFlag(flag: string, raw: string, context: DateContext, bound: 'start' | 'end'): string {
  const text = raw.trim();
  const now = typeof context.now === 'number' ? context.now : context.now.getTime();
  const { zone } = context;
  const keyword = text.toLowerCase();
  let ms: number | undefined;
  if (keyword === 'now') ms = now;
  else if (keyword === 'today' || keyword === 'yesterday') {
    const day = addDays(formatDate(now, zone), keyword === 'today' ? 0 : -1);
    ms = bound === 'start' ? startOfZonedDay(day, zone) : endOfZonedDay(day, zone);
  } else if (DATE_ONLY.test(text)) {
    if (!parseDateText(text)) throw notReal(flag, raw);
    ms = bound === 'start' ? startOfZonedDay(text, zone) : endOfZonedDay(text, zone);
  } else if (TYPED_INSTANT.test(text)) {
    ms = parseInstant(text.replace(' ', 'T').toUpperCase());
    if (ms === undefined) throw notReal(flag, raw);
  } else if (LOCAL_TIME.test(text)) {
    ms = parseLocalTime(text, zone);
    if (ms === undefined) throw notReal(flag, raw);
  } else if (DURATION.test(keyword)) {
    ms = now - parseDurationMs(keyword);
  }
  if (ms === undefined) {
    const tail = flag === '--from' ? '24h' : 'now';
    throw new DateFlagError(`${flag}: ${quote(raw)} is not a date; use ${EXAMPLES} or ${tail}`);
  }
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) {
    throw new DateFlagError(`${flag}: ${quote(raw)} is out of range; use a date between 0001 and 9999`);
  }
  return new Date(ms).toISOString();
}

function endOfZonedDay(day: string, zone: string): number {
  return startOfZonedDay(addDays(day, 1), zone) - 1;
}

function parseLocalTime(text: string, zone: string): number | undefined {
  const match = LOCAL_TIME.exec(text);
  const date = match && parseDateText(match[1] as string);
  if (!match || !date) return undefined;
  const hour = Number(match[2]);
  const minute = Number(match[3]);
  const second = Number(match[4] ?? 0);
  const ms = Number((match[5] ?? '0').padEnd(3, '0'));
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return zonedDateTimeToUtc({ ...date, hour, minute, second, ms }, zone);
}

function notReal(flag: string, raw: string): DateFlagError {
  return new DateFlagError(`${flag}: ${quote(raw)} is not a real date or time; use ${EXAMPLES}`);
}

/** The user's text, quoted and on one line whatever it holds. */
export function quote(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return JSON.stringify(short);
}
