/** Parsing of the API's time parameters: ISO 8601 instants, UTC dates and `since` durations. */

import { DATE_ONLY, DURATION, ISO_INSTANT } from './date-patterns.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DAY_MS = 86_400_000;

export class TimeParseError extends Error {
  override readonly name = 'TimeParseError';
}

const EXPECTED_TIME = 'expected a date like 2024-01-31 or an ISO 8601 time like 2024-01-31T12:00:00Z';

/** Start of a UTC day given as YYYY-MM-DD, or undefined when the text is not a real date. */
export function utcDayStart(text: string): number | undefined {
  const match = DATE_ONLY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  // Date.UTC rolls 2024-02-31 over to March; a date that does not round-trip is not a date.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return ms;
}

export function parseInstant(text: string): number | undefined {
  if (!ISO_INSTANT.test(text)) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  // Reject calendar overflow such as 2024-02-30T00:00:00Z, which Date.parse silently rolls over.
  if (utcDayStart(text.slice(0, 10)) === undefined) return undefined;
  return ms;
}

/** `from`: a date is the start of that UTC day; an instant is taken as it is. */
export function parseFromBound(text: string): number {
  const ms = utcDayStart(text) ?? parseInstant(text);
  if (ms === undefined) throw new TimeParseError(EXPECTED_TIME);
  return ms;
}

/** `to`, returned as an exclusive bound: a date includes that whole UTC day, an instant itself. */
export function parseToBoundExclusive(text: string): number {
  const day = utcDayStart(text);
  if (day !== undefined) return day + DAY_MS;
  const ms = parseInstant(text);
  if (ms === undefined) throw new TimeParseError(EXPECTED_TIME);
  return ms + 1;
}

export function parseDurationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new TimeParseError('expected a duration like 30m, 24h, 7d or 30d');
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
