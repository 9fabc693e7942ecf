import type { AuditEvent, JsonObject } from './event.js';
import { eventToExportRow } from './export-stream.js';

/** Where the JSON fields (changes, metadata) start among the 18. */
const JSON_FIELDS_FROM = 16;

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
  return eventToExportRow(event).map((value, index) => {
    if (value === null) return '';
    return index < JSON_FIELDS_FROM ? encode.text(value as string) : encode.json(value as JsonObject);
  });
}
