import { isValidTimeZone, zonedFields, zoneOffsetMs } from '../domain/zoned-time.js';
import { sanitizeForDisplay } from './sanitize.js';

export { isValidTimeZone };

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `2024-01-15 15:32:18`: the instant `iso` on a 24-hour wall clock in the IANA `zone`. */
export function formatTimestamp(iso: string, zone: string): string {
  // A server's event may lack its timestamp (or send another type): it shows as empty.
  if (typeof iso !== 'string') return '';
  const utcMs = Date.parse(iso);
  // The timestamp came from the server: show it as it is (made safe) rather than "NaN".
  if (Number.isNaN(utcMs)) return sanitizeForDisplay(iso);
  const { year, month, day, hour, minute, second } = zonedFields(utcMs, zone);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}`;
}

const labelFormatters = new Map<string, Intl.DateTimeFormat>();

function labelFormatter(locale: string, zone: string): Intl.DateTimeFormat {
  const key = `${locale} ${zone}`;
  let format = labelFormatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    labelFormatters.set(key, format);
  }
  return format;
}

function shortName(locale: string, zone: string, at: Date): string {
  const part = labelFormatter(locale, zone)
    .formatToParts(at)
    .find((candidate) => candidate.type === 'timeZoneName');
  return part?.value ?? zone;
}

const OFFSET_LABEL = /^(GMT|UTC)[+-]/;

/**
 * The zone's short name at `at` (`UTC`, `CET`, `EST`, `BST`), or its offset (`GMT+5:30`) when
 * no abbreviation is common. en-US knows American names, en-GB European ones: ask both.
 */
export function zoneLabel(zone: string, at: Date | number | string = new Date()): string {
  const instant = at instanceof Date ? at : new Date(at);
  // What Intl calls UTC at every valid instant, told without Intl's 25 ms first use; an invalid
  // instant is still Intl's to refuse.
  if (zone === 'UTC' && !Number.isNaN(instant.getTime())) return 'UTC';
  const american = shortName('en-US', zone, instant);
  if (!OFFSET_LABEL.test(american)) return american;
  const british = shortName('en-GB', zone, instant);
  return OFFSET_LABEL.test(british) ? american : british;
}

// Names of UTC itself: a header says `UTC` for all of them.
const UTC_NAMES = new Set([
  'UTC',
  'UCT',
  'GMT',
  'GMT0',
  'GMT+0',
  'GMT-0',
  'Greenwich',
  'Universal',
  'Zulu',
  'Etc/UTC',
  'Etc/UCT',
  'Etc/GMT',
  'Etc/GMT0',
  'Etc/GMT+0',
  'Etc/GMT-0',
  'Etc/Greenwich',
  'Etc/Universal',
  'Etc/Zulu',
]);

/**
 * What a column header says times are in: `UTC`, the zone's name (`Europe/Berlin`), or, for a
 * zone without a real name (`Etc/GMT-1`, whose sign reads backwards), its offset `UTC+01:00`.
 */
export function zoneHeaderLabel(zone: string, at: number = Date.now()): string {
  if (UTC_NAMES.has(zone)) return 'UTC';
  if (!zone.startsWith('Etc/')) return zone;
  const minutes = Math.round(zoneOffsetMs(zone, at) / 60_000);
  if (minutes === 0) return 'UTC';
  const sign = minutes < 0 ? '-' : '+';
  return `UTC${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}
