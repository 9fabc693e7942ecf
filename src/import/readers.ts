/**
 * The three readers of `audit import`, each an async generator of events with where they came
 * from (`line 12`), reading as it goes so that memory stays flat whatever the file size.
 */

import { findInexactNumber, inexactNumberMessage } from '../domain/inexact-numbers.js';
import { readCsv } from './csv-reader.js';
import {
  type ImportRecord,
  NotAnEventError,
  record,
  refuseInexactNumbers,
  toEventInput,
} from './event-input.js';
import { type Line, MalformedInputError, MIB, readLines } from './lines.js';
import type { ImportFormat } from './source.js';

export interface ReaderOptions {
  /** A JSON array not laid out one event per line is parsed whole up to this size; default 256 MiB. */
  maxWholeJsonBytes?: number;
  /** Longest line of NDJSON or line-per-event JSON; default 256 MiB. */
  maxLineBytes?: number;
}

export type { ImportRecord };

export const MAX_WHOLE_JSON_BYTES = 256 * MIB;

export function readRecords(
  format: ImportFormat,
  chunks: AsyncIterable<Buffer>,
  options: ReaderOptions = {},
): AsyncGenerator<ImportRecord> {
  if (format === 'csv') return readCsv(chunks);
  if (format === 'ndjson') return readNdjson(chunks, options);
  return readJson(chunks, options);
}

function parseLine(line: Line, text = line.text): ImportRecord {
  return record(`line ${line.number}`, () => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new NotAnEventError(`invalid JSON: ${(error as Error).message}`);
    }
    refuseInexactNumbers(text);
    return toEventInput(value);
  });
}

/** One JSON value a line; blank lines skipped. */
export async function* readNdjson(
  chunks: AsyncIterable<Buffer>,
  options: ReaderOptions = {},
): AsyncGenerator<ImportRecord> {
  for await (const line of readLines(chunks, options.maxLineBytes ?? MAX_WHOLE_JSON_BYTES)) {
    if (line.text.trim() !== '') yield parseLine(line);
  }
}

/**
 * A JSON array. Our exports write `[`, one event a line (each but the last ending in `,`), `]`:
 * that layout is streamed line by line. Whether the file has it is decided on its first event
 * line, before anything is yielded; any other layout (pretty-printed, all on one line) is parsed
 * whole, which is refused beyond `maxWholeJsonBytes`. In the line layout, a later line that is
 * not an event is a malformed line (it is not a reason to start over: events were sent).
 */
export async function* readJson(
  chunks: AsyncIterable<Buffer>,
  options: ReaderOptions = {},
): AsyncGenerator<ImportRecord> {
  const maxWhole = options.maxWholeJsonBytes ?? MAX_WHOLE_JSON_BYTES;
  const tooBig = () =>
    new MalformedInputError(
      undefined,
      `a JSON array not laid out one event per line is read whole, and this one is larger than ` +
        `${Math.round(maxWhole / MIB)} MiB; convert it to NDJSON first, e.g. jq -c '.[]' FILE > events.ndjson`,
    );
  const lines = readLines(chunks, Math.max(maxWhole, options.maxLineBytes ?? 0), tooBig);
  const seen: Line[] = [];
  const nextSignificant = async (): Promise<Line | undefined> => {
    for (;;) {
      const next = await lines.next();
      if (next.done) return undefined;
      seen.push(next.value);
      if (next.value.text.trim() !== '') return next.value;
    }
  };

  const opening = await nextSignificant();
  if (opening === undefined) return;
  const first = opening.text.trim() === '[' ? await nextSignificant() : undefined;
  const firstText = first?.text.trim().replace(/,$/, '');
  if (first === undefined || firstText === undefined || !isJsonObjectText(firstText)) {
    yield* readWhole(seen, lines, maxWhole, tooBig);
    return;
  }
  if (firstText === ']') return await expectEnd(lines);
  yield parseLine(first, firstText);
  for (;;) {
    const line = await nextSignificant();
    seen.length = 0;
    if (line === undefined) {
      throw new MalformedInputError('end of file', 'the JSON array is not closed with "]" (truncated file?)');
    }
    const text = line.text.trim();
    if (text === ']') return await expectEnd(lines);
    yield parseLine(line, text.replace(/,$/, ''));
  }
}

function isJsonObjectText(text: string): boolean {
  if (text === ']') return true;
  if (!text.startsWith('{')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function expectEnd(lines: AsyncGenerator<Line>): Promise<void> {
  for await (const line of lines) {
    if (line.text.trim() !== '') {
      throw new MalformedInputError(`line ${line.number}`, 'text after the end of the JSON array');
    }
  }
}

async function* readWhole(
  seen: Line[],
  rest: AsyncGenerator<Line>,
  maxBytes: number,
  tooBig: () => Error,
): AsyncGenerator<ImportRecord> {
  const parts = seen.map((line) => line.text);
  let bytes = parts.reduce((sum, text) => sum + Buffer.byteLength(text) + 1, 0);
  for await (const line of rest) {
    bytes += Buffer.byteLength(line.text) + 1;
    if (bytes > maxBytes) throw tooBig();
    parts.push(line.text);
  }
  if (bytes > maxBytes) throw tooBig();
  let value: unknown;
  try {
    value = JSON.parse(parts.join('\n'));
  } catch (error) {
    throw new MalformedInputError(undefined, `not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(value)) throw new MalformedInputError(undefined, 'not a JSON array of events');
  const inexact = findInexactNumber(parts.join('\n'));
  if (inexact) throw new MalformedInputError(undefined, `${inexact.path}: ${inexactNumberMessage(inexact)}`);
  for (const [index, element] of value.entries()) {
    yield record(`event ${index + 1}`, () => toEventInput(element));
  }
}
