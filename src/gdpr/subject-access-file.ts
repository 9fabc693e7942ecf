/**
 * The file `audit gdpr export` writes: `{"subject", "generated_at", "events", "summary"}`
 * indented by two, written as the server's answer arrives (an event at a time), so memory holds
 * one event, not the person's whole history. It is the text JSON.stringify(document, null, 2)
 * gives of the same document with its keys in this order (the summary follows the events when
 * the server sends it after them, as it does: it counts what was sent), and like all event text
 * that may reach a terminal it holds no raw control, bidi or invisible character.
 */
import type { SubjectAccessPart } from '../client/gdpr-stream.js';
import type { GdprExport } from '../client/types.js';
import { stringifyJsonSafely } from '../format/sanitize.js';

/** Text is handed to the output this many characters at a time (fewer, larger writes). */
const FLUSH_CHARS = 16 * 1024;

export interface SubjectAccessFile {
  subject: string;
  generatedAt: string;
}

/** Writes the document from `parts` to `out`; the summary it held, for the caller's report. */
export async function writeSubjectAccessFile(
  parts: AsyncIterable<SubjectAccessPart>,
  out: NodeJS.WritableStream,
  file: SubjectAccessFile,
): Promise<GdprExport['summary'] | undefined> {
  let pending = `{\n  "subject": ${json(file.subject, '  ')},\n  "generated_at": ${json(file.generatedAt, '  ')}`;
  let summary: GdprExport['summary'] | undefined;
  let first = true;
  for await (const part of parts) {
    if ('event' in part) {
      pending += `${first ? '\n' : ',\n'}    ${json(part.event, '    ')}`;
      first = false;
    } else if ('summary' in part) {
      summary = part.summary;
      pending += `,\n  "summary": ${json(part.summary, '  ')}`;
    } else if (part.events === 'start') {
      pending += ',\n  "events": [';
      first = true;
    } else pending += first ? ']' : '\n  ]';
    if (pending.length >= FLUSH_CHARS) {
      await write(out, pending);
      pending = '';
    }
  }
  await write(out, `${pending}\n}\n`);
  return summary;
}

/** `value` as JSON indented by two, its lines after the first indented by `indent` more. */
function json(value: unknown, indent: string): string {
  return stringifyJsonSafely(value, 2).replaceAll('\n', `\n${indent}`);
}

/** Resolves once `out` takes more; rejects if it fails first. */
function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      out.removeListener('drain', onDrain);
      reject(error);
    };
    const onDrain = () => {
      out.removeListener('error', onError);
      resolve();
    };
    out.once('error', onError);
    if (out.write(text)) onDrain();
    else out.once('drain', onDrain);
  });
}
