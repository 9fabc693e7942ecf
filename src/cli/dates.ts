/**
 * The CLI's date flags and display zone. The forms and their parsing are the domain's
 * (date-flags.ts); here a mistake becomes a usage error.
 */
import { readlinkSync, realpathSync } from 'node:fs';
import {
  assertOrderedRange,
  type DateContext,
  DateFlagError,
  parseFromDate,
  parseSince,
  parseToDate,
  quote,
} from '../domain/date-flags.js';
import { isValidTimeZone, systemTimeZone } from '../domain/zoned-time.js';
import { UsageError } from './errors.js';

export type { DateContext };

/** `--from`: the first instant to include, as an ISO 8601 UTC string. */
export function parseFromFlag(text: string, context: DateContext): string {
  return asUsageError(() => parseFromDate(text, context));
}

/** `--to`: the last instant to include (the server's `to` is inclusive); a day means all of it. */
export function parseToFlag(text: string, context: DateContext): string {
  return asUsageError(() => parseToDate(text, context));
}

/** `--since`: passed to the server as it is, once it has the server's form (digits + s|m|h|d|w). */
export function validateSinceFlag(text: string): string {
  return asUsageError(() => parseSince(text));
}

/** Both bounds are ISO instants as the parsers above return them; equal bounds are one instant. */
export function checkRange(from: string | undefined, to: string | undefined): void {
  asUsageError(() => assertOrderedRange(from, to));
}

/** A date flag's mistake is a usage error (exit 2). */
export function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof DateFlagError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** The zone timestamps are shown and dates read in: `--utc`, else `--tz`, else `TZ`, else the system's. */
export function displayZone(options: {
  tz?: string | undefined;
  utc?: boolean | undefined;
  env?: Record<string, string | undefined>;
}): string {
  if (options.utc) return 'UTC';
  if (options.tz !== undefined) {
    const zone = options.tz.trim();
    if (!isValidTimeZone(zone)) {
      throw new UsageError(
        `--tz: ${quote(options.tz)} is not a known time zone; use an IANA name like Europe/Paris, America/New_York or UTC`,
      );
    }
    return zone;
  }
  // glibc accepts `TZ=:Europe/Paris`; a TZ that Intl does not know is ignored.
  const envZone = options.env?.TZ?.trim().replace(/^:/, '');
  if (envZone && isValidTimeZone(envZone)) return envZone;
  return utcHostZone() ?? systemTimeZone();
}

const LOCALTIME = '/etc/localtime';
const ZONEINFO = '/zoneinfo/';

/**
 * 'UTC' when the system runs in UTC and that can be told without Intl, else undefined (ask
 * Intl). Intl's first use costs 25-30 ms of CPU (ICU's locale data), and servers and CI
 * machines run in UTC. On Linux with TZ unset, ICU names the host's zone by the path after
 * "/zoneinfo/" of what /etc/localtime links to (some versions read the link, others resolve
 * it), and V8 calls each alias of Etc/UTC "UTC"; only when both ways name UTC is it said here.
 */
export function utcHostZone(
  env: Record<string, string | undefined> = process.env,
  platform: string = process.platform,
): 'UTC' | undefined {
  if (platform !== 'linux' || env.TZ !== undefined) return undefined;
  try {
    return namesUtc(readlinkSync(LOCALTIME)) && namesUtc(realpathSync(LOCALTIME)) ? 'UTC' : undefined;
  } catch {
    return undefined;
  }
}

/** True when the zoneinfo path `target` names UTC itself: `…/zoneinfo/UTC` or `…/zoneinfo/Etc/UTC`. */
export function namesUtc(target: string): boolean {
  const at = target.indexOf(ZONEINFO);
  if (at === -1) return false;
  const name = target.slice(at + ZONEINFO.length);
  return name === 'UTC' || name === 'Etc/UTC';
}
