import type { AuditEvent, JsonObject } from './event.js';

/** How each kind of field becomes text: a string field, and `changes`/`metadata` as JSON. */
export interface FieldEncoding {
  text(value: string): string;
  json(value: JsonObject): string;
}

/**
 * The 18 fields of an event in the SPEC's CSV column order, encoded: what a CSV row holds and
 * what a Merkle leaf commits to (each with its own encoding). A missing field, or one of another
 * type than the API's, is "".
 */
export function exportFields(event: AuditEvent, encode: FieldEncoding): string[] {
  const text = (value: unknown) => (typeof value === 'string' ? encode.text(value) : '');
  const json = (value: JsonObject | null | undefined) =>
    value === null || value === undefined ? '' : encode.json(value);
  const { actor, target, context } = event;
  return [
    text(event.id),
    text(event.timestamp),
    text(event.category),
    text(event.action),
    text(event.description),
    text(actor?.id),
    text(actor?.name),
    text(actor?.email),
    text(actor?.type),
    text(target?.type),
    text(target?.id),
    text(target?.name),
    text(context?.ip_address),
    text(context?.user_agent),
    text(context?.team_id),
    text(context?.team_name),
    json(event.changes),
    json(event.metadata),
  ];
}
