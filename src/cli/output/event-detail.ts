import type { AuditEvent, JsonObject, JsonValue } from '../../domain/event.js';
import { displayValue, sanitizeForDisplay } from '../../format/sanitize.js';
import { formatTimestamp, zoneLabel } from '../../format/time-format.js';
import { createPalette } from './colors.js';

export interface DetailOptions {
  zone: string;
  color: boolean;
}

const MISSING = '-';

/** `audit logs show <id>`: every field on a labelled line, then changes (old → new) and metadata. */
export function renderEventDetail(event: AuditEvent, options: DetailOptions): string {
  const palette = createPalette(options.color);
  const fields: [string, string][] = [
    ['ID', displayValue(event.id)],
    ['Time', timeLine(event.timestamp, options.zone)],
    ['Category', palette.category(event.category)(displayValue(event.category))],
    ['Action', palette.event(event)(displayValue(event.action))],
    ['Description', displayValue(event.description, MISSING)],
    ['Actor', actorLine(event)],
    ['Target', targetLine(event)],
    ['IP', displayValue(event.context?.ip_address, MISSING)],
    ['User agent', displayValue(event.context?.user_agent, MISSING)],
    ['Team', teamLine(event)],
  ];
  const labelWidth = Math.max(...fields.map(([label]) => label.length)) + 2;
  const lines = fields.map(([label, value]) => `${palette.label(`${label}:`.padEnd(labelWidth))}${value}`);

  const changes = entries(event.changes);
  if (changes.length > 0) {
    lines.push(palette.label('Changes:'));
    for (const [key, value] of changes) lines.push(`  ${sanitizeForDisplay(key)}: ${changeText(value)}`);
  }
  const metadata = entries(event.metadata);
  if (metadata.length > 0) {
    lines.push(palette.label('Metadata:'));
    for (const [key, value] of metadata) lines.push(`  ${sanitizeForDisplay(key)}: ${valueText(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function timeLine(timestamp: string, zone: string): string {
  const utcMs = Date.parse(timestamp);
  if (Number.isNaN(utcMs)) return sanitizeForDisplay(timestamp);
  return `${formatTimestamp(timestamp, zone)} ${zoneLabel(zone, utcMs)} (${new Date(utcMs).toISOString()})`;
}

/** `Alice Chen <alice@example.com> (user_abc123, user)`, leaving out what is absent. */
function actorLine({ actor }: AuditEvent): string {
  if (!actor) return MISSING;
  const email = actor.email ? `<${sanitizeForDisplay(actor.email)}>` : '';
  const ids = [actor.id, actor.type].filter((part): part is string => Boolean(part)).map(sanitizeForDisplay);
  const parts = [displayValue(actor.name), email, ids.length > 0 ? `(${ids.join(', ')})` : ''];
  return joinPresent(parts);
}

/** `tunnel api-staging.example.net (tunnel_xyz789)`. */
function targetLine({ target }: AuditEvent): string {
  if (!target) return MISSING;
  return joinPresent([
    displayValue(target.type),
    displayValue(target.name),
    target.id ? `(${sanitizeForDisplay(target.id)})` : '',
  ]);
}

function teamLine({ context }: AuditEvent): string {
  if (!context) return MISSING;
  return joinPresent([
    displayValue(context.team_name),
    context.team_id ? `(${sanitizeForDisplay(context.team_id)})` : '',
  ]);
}

function joinPresent(parts: string[]): string {
  const present = parts.filter((part) => part !== '');
  return present.length > 0 ? present.join(' ') : MISSING;
}

function entries(object: JsonObject | null): [string, JsonValue][] {
  return object ? Object.entries(object) : [];
}

function isOldNewPair(value: JsonValue): value is { old?: JsonValue; new?: JsonValue } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    ('old' in value || 'new' in value) &&
    Object.keys(value).every((key) => key === 'old' || key === 'new')
  );
}

/** `member → admin` for an old/new pair; anything else as a value. */
function changeText(value: JsonValue): string {
  if (!isOldNewPair(value)) return valueText(value);
  return `${valueText(value.old ?? null)} → ${valueText(value.new ?? null)}`;
}

/** Strings as they are, everything else as compact JSON; always made safe for the terminal. */
function valueText(value: JsonValue): string {
  return sanitizeForDisplay(typeof value === 'string' ? value : JSON.stringify(value));
}
