/** How `audit stats` names groups, buckets and its range: every key is the server's text. */
import type { StatsData, StatsParams } from '../../client/types.js';
import { DURATION } from '../../domain/date-patterns.js';
import type { StatsDimension, StatsGroup } from '../../domain/stats.js';
import { isValidTimeZone } from '../../domain/zoned-time.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import { formatTimestamp } from '../../format/time-format.js';
import { textWidth } from '../output/text-width.js';
import type { StatsRequest } from './request.js';

export const NONE_LABEL = '(none)';
export const OTHER_LABEL = '(other)';

/**
 * A group's key for `dimension`, safe to print: `(none)` when the events had none, `(other)` for
 * the groups `top` left out. A real key that reads like one of those is quoted, so an actor
 * named "(other)" cannot pass for the rest.
 */
export function keyLabel(group: StatsGroup, dimension: StatsDimension): string {
  const value: unknown = group[dimension];
  if (typeof value !== 'string') return group.other ? OTHER_LABEL : NONE_LABEL;
  const shown = sanitizeForDisplay(value);
  return shown === NONE_LABEL || shown === OTHER_LABEL ? JSON.stringify(shown) : shown;
}

/** `2026-12-01T14:00+01:00` → `2026-12-01 14:00`; with `withOffset` (a DST hour seen twice) the offset too. */
export function hourLabel(hour: string, withOffset: boolean): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(.*)$/.exec(hour);
  if (!match) return sanitizeForDisplay(hour);
  return `${match[1]} ${match[2]}${withOffset ? ` ${sanitizeForDisplay(match[3] as string)}` : ''}`;
}

const UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week' };

/**
 * The title, as parts that wrap between them: `Events by category · last 30 days (default) ·
 * 2026-11-06 → 2026-12-06 (Europe/Berlin)`, with the filters given after the dimensions.
 */
export function titleParts(data: StatsData, request: StatsRequest, fallbackZone: string): string[] {
  const zone =
    typeof data.time_zone === 'string' && isValidTimeZone(data.time_zone) ? data.time_zone : fallbackZone;
  const parts = [`Events by ${request.dimensions.join(' and ')}`];
  const filters = filterSummary(request.params);
  if (filters) parts.push(filters);
  if (request.since !== undefined) {
    const match = DURATION.exec(request.since);
    const unit = match ? `${UNITS[match[2] as string]}${match[1] === '1' ? '' : 's'}` : '';
    parts.push(
      `last ${match ? `${match[1]} ${unit}` : request.since}${request.defaultRange ? ' (default)' : ''}`,
    );
  } else if (request.defaultRange) parts.push('30 days (default)');
  parts.push(`${rangeText(data, zone)} (${sanitizeForDisplay(zone)})`);
  return parts;
}

/** Parts joined by ` · `, a new line where the next part would pass `width`. */
export function wrapParts(parts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && textWidth(last) + 3 + textWidth(part) <= width)
      lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(part);
  }
  return lines;
}

const THREE_DAYS_MS = 3 * 86_400_000;

/** `from → to` in the zone: dates, or dates and times for a range under three days. `to` is exclusive. */
function rangeText(data: StatsData, zone: string): string {
  const to = Date.parse(data.to);
  const from = data.from === null ? Number.NaN : Date.parse(data.from);
  if (Number.isNaN(to)) return '';
  const withTime = !Number.isNaN(from) && to - from < THREE_DAYS_MS;
  const label = (ms: number) =>
    formatTimestamp(new Date(ms).toISOString(), zone).slice(0, withTime ? 16 : 10);
  // The last instant counted is the millisecond before `to`: a range ending at midnight ends the day before.
  return `${Number.isNaN(from) ? 'the first event' : label(from)} → ${label(withTime ? to : to - 1)}`;
}

const FILTER_NAMES: [keyof StatsParams, string][] = [
  ['category', 'category'],
  ['action', 'action'],
  ['actor', 'actor'],
  ['actor_id', 'actor id'],
  ['target', 'target'],
  ['resource', 'resource'],
  ['ip', 'ip'],
  ['team_id', 'team'],
  ['q', 'search'],
];

function filterSummary(params: StatsParams): string {
  const shown = FILTER_NAMES.flatMap(([key, name]) => {
    const value = params[key];
    if (value === undefined) return [];
    const text = Array.isArray(value) ? value.join(',') : String(value);
    return [`${name} ${sanitizeForDisplay(text)}`];
  });
  if (params.detailed) shown.push('detailed');
  return shown.join(', ');
}
