/** File names of an export: the default name, and one file per period with `--split`. */
import { basename, dirname, join } from 'node:path';
import { addDays, formatDate, startOfZonedDay } from '../domain/zoned-time.js';
import type { ExportFormat, SplitPeriod } from './types.js';

const KNOWN_EXTENSION = /\.(csv|json|ndjson|pdf|txt)(\.gz)?$/i;

/**
 * Where an export goes when no `-o` is given, in the current directory:
 * `audit-logs-<from>_<to>.<format>[.gz]` with the days in the display zone, or with `--split`
 * `audit-logs.<format>`, which becomes `audit-logs-2024-01.<format>` per period (the reference's
 * naming).
 */
export function defaultExportName(options: {
  from: string;
  to: string;
  format: ExportFormat;
  gzip: boolean;
  split?: SplitPeriod | undefined;
  zone: string;
}): string {
  const { format, gzip, zone } = options;
  const range = `${formatDate(Date.parse(options.from), zone)}_${formatDate(Date.parse(options.to), zone)}`;
  const stem = options.split ? 'audit-logs' : `audit-logs-${range}`;
  return `${stem}.${format}${gzip ? '.gz' : ''}`;
}

/** `out/jan.csv.gz` with period `2024-01` → `out/jan-2024-01.csv.gz`. */
export function fileForPeriod(output: string, period: string): string {
  const name = basename(output);
  const known = KNOWN_EXTENSION.exec(name);
  const dot = name.lastIndexOf('.');
  const at = known ? known.index : dot > 0 ? dot : name.length;
  return join(dirname(output), `${name.slice(0, at)}-${period}${name.slice(at)}`);
}

/**
 * The split period of each event's time, in the display zone. Events come in time order, so the
 * bounds of the current period are kept and the calendar is consulted only when one is crossed.
 */
export function createPeriodClock(split: SplitPeriod, zone: string) {
  let current: { key: string; start: number; end: number } | undefined;
  return (timestamp: string): string => {
    const ms = Date.parse(timestamp);
    if (current && ms >= current.start && ms < current.end) return current.key;
    const day = formatDate(ms, zone);
    const key = split === 'day' ? day : day.slice(0, 7);
    current = { key, ...periodBounds(split, key, zone) };
    return current.key;
  };
}

/** The instants a period (`2024-01-31` or `2024-01`) of the display zone starts and ends (exclusive) at. */
export function periodBounds(
  split: SplitPeriod,
  period: string,
  zone: string,
): { start: number; end: number } {
  if (split === 'day')
    return { start: startOfZonedDay(period, zone), end: startOfZonedDay(addDays(period, 1), zone) };
  const first = `${period}-01`;
  const next = addDays(first, 32).slice(0, 7);
  return { start: startOfZonedDay(first, zone), end: startOfZonedDay(`${next}-01`, zone) };
}
