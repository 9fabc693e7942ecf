/**
 * CSV lines written straight from the JSON text of a run of export rows (`[…],[…]`, see
 * src/domain/export-stream.ts), without JSON.parse, for rows in the plain shape ordinary events
 * have: no backslash, control character or surrogate anywhere; text or null cells; changes and
 * metadata objects of strings, safe integers, booleans, nulls and objects, with no whitespace,
 * no repeated key, no key made of digits, nested no deeper than an export allows; times in
 * order. In that shape a string's JSON text is its value and JSON.stringify of a parsed object
 * is its text again, so the lines are csvRowLines' (test/unit/csv-plain-rows.test.ts holds the
 * two equal over hostile text). Anything else is undefined, and the caller parses and checks
 * the rows (checkExportRow), which refuses or writes them. Parsing made objects of every row
 * only to write them back as text: with the CSV lines about half the CLI's CPU a row, an eighth
 * of it V8 interning each short string value JSON.parse makes (bench of 2026-12-07).
 */
import type { EncodedRunText } from '../domain/event-batch.js';
import { EXPORT_ROW_FIELDS, isEventTime } from '../domain/export-stream.js';
import { neutralizeFormula } from '../domain/formula-cells.js';
import { MAX_JSON_NESTING } from '../domain/json-nesting.js';
import {
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from './json-byte-codes.js';

/** Anything that makes a run not plain, found by one native scan before anything else. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
const NOT_PLAIN = /[\u0000-\u001f\\\ud800-\udfff]/;
/** An integer as JSON.stringify writes it back: no sign on zero, no leading zero, below 2**53. */
const SAFE_INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;
const NUMBER_END = /[^\d\-+.eE]/g;
/** A key JSON.parse would move ahead of the others (an array index), or one close to it. */
const DIGITS = /^\d+$/;
const TEXT_CELLS = EXPORT_ROW_FIELDS.length - 2;

/**
 * The CSV lines of the rows in `text` (csvRowLine's, file output, every column), or undefined
 * when the rows are not plain; `previousTime` is the time of the row before them, if any.
 */
export function csvOfPlainRows(text: string, previousTime: string | undefined): EncodedRunText | undefined {
  if (text.length === 0 || NOT_PLAIN.test(text)) return undefined;
  const lines: string[] = [];
  let first: readonly [string, string] | undefined;
  let lastId = '';
  let previous = previousTime;
  let at = 0;
  for (;;) {
    if (text.charCodeAt(at) !== OPEN_ARRAY) return undefined;
    at++;
    let line = '';
    let id = '';
    let time = '';
    for (let index = 0; index < TEXT_CELLS; index++) {
      let cell = '';
      if (text.charCodeAt(at) === QUOTE) {
        const end = text.indexOf('"', at + 1);
        if (end === -1) return undefined;
        cell = text.slice(at + 1, end);
        at = end + 1;
      } else if (text.startsWith('null', at) && index > 1) at += 4;
      else return undefined;
      if (index === 0) id = cell;
      else if (index === 1) time = cell;
      if (text.charCodeAt(at++) !== COMMA) return undefined;
      const safe = neutralizeFormula(cell);
      // No quote, CR or LF can be in a string without a backslash: only a comma needs quotes.
      line += safe.includes(',') ? `"${safe}",` : `${safe},`;
    }
    if (!isEventTime(time) || (previous !== undefined && time < previous)) return undefined;
    previous = time;
    lastId = id;
    first ??= [id, time];
    for (let index = 0; index < 2; index++) {
      if (text.startsWith('null', at)) at += 4;
      else {
        const end = objectEnd(text, at, 1);
        if (end === -1) return undefined;
        // An object's text starts with `{`, never a formula; `{}` alone needs no quotes.
        line += end - at === 2 ? '{}' : `"${text.slice(at, end).replaceAll('"', '""')}"`;
        at = end;
      }
      if (index === 0) {
        if (text.charCodeAt(at++) !== COMMA) return undefined;
        line += ',';
      }
    }
    if (text.charCodeAt(at++) !== CLOSE_ARRAY) return undefined;
    lines.push(line);
    if (at === text.length) break;
    if (text.charCodeAt(at++) !== COMMA) return undefined;
  }
  const count = lines.length;
  lines.push('');
  return {
    text: lines.join('\n'),
    count,
    first: first as [string, string],
    last: [lastId, previous as string],
  };
}

/** The index just after the object that opens at `start`, or -1 when it is not plain. */
function objectEnd(text: string, start: number, depth: number): number {
  if (depth > MAX_JSON_NESTING || text.charCodeAt(start) !== OPEN_OBJECT) return -1;
  let at = start + 1;
  if (text.charCodeAt(at) === CLOSE_OBJECT) return at + 1;
  const keys: string[] = [];
  for (;;) {
    if (text.charCodeAt(at) !== QUOTE) return -1;
    const keyEnd = text.indexOf('"', at + 1);
    if (keyEnd === -1) return -1;
    const key = text.slice(at + 1, keyEnd);
    // JSON.parse keeps the last of repeated keys and puts index keys first: not the text's order.
    if (key === '__proto__' || DIGITS.test(key) || keys.includes(key)) return -1;
    keys.push(key);
    at = keyEnd + 1;
    if (text.charCodeAt(at++) !== COLON) return -1;
    at = valueEnd(text, at, depth);
    if (at === -1) return -1;
    const next = text.charCodeAt(at++);
    if (next === CLOSE_OBJECT) return at;
    if (next !== COMMA) return -1;
  }
}

/** The index just after the member value at `start` (a string, object, safe integer, boolean or null), or -1. */
function valueEnd(text: string, start: number, depth: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) {
    const end = text.indexOf('"', start + 1);
    return end === -1 ? -1 : end + 1;
  }
  if (first === OPEN_OBJECT) return objectEnd(text, start, depth + 1);
  if (text.startsWith('null', start) || text.startsWith('true', start)) return start + 4;
  if (text.startsWith('false', start)) return start + 5;
  NUMBER_END.lastIndex = start;
  const end = NUMBER_END.exec(text)?.index ?? text.length;
  const number = text.slice(start, end);
  return number !== '-0' && SAFE_INTEGER.test(number) ? end : -1;
}
