/**
 * `--jq EXPR`: the `--json` output through jq (jq 1.8, compiled to WebAssembly: jq-wasm), as gh
 * prints it: a string result as raw text, any other result as JSON. Loaded only when `--jq` is
 * given. Every string came from the server, so on a terminal a raw string is stripped of what
 * could steer it (an OSC 52 in a description would otherwise write the clipboard); in a pipe it
 * is left exact, as `jq -r` leaves it. JSON results are always written with stringifyJsonSafely.
 */
import { loadJq } from 'jq-wasm';
import { type JsonField, pickFields } from '../../format/column-choice.js';
import { createEncodedWriter, type EventWriter } from '../../format/event-writer.js';
import { sanitizeForDisplay, stringifyJsonSafely } from '../../format/sanitize.js';
import { UsageError } from '../errors.js';
import type { LineWriter } from './event-line.js';

export interface JqFilter {
  /** The text of the results for `input`, each on a line of its own; a failure of jq throws, after `written` got what came before it. */
  apply(input: unknown, written: (text: string) => void): void;
}

// jq's exit code for an expression that does not compile.
const COMPILE_ERROR = 3;

/** The filter for `expression`, checked now: an expression that does not compile is a usage error (exit 2). */
export async function loadJqFilter(expression: string, options: { terminal: boolean }): Promise<JqFilter> {
  const jq = await loadJq();
  const probe = jq.raw(null, expression, ['-c']);
  if (probe.exitCode === COMPILE_ERROR) throw jqError(probe.stderr);
  const format = (value: unknown) =>
    typeof value === 'string'
      ? options.terminal
        ? terminalSafeText(value)
        : value
      : stringifyJsonSafely(value, options.terminal ? 2 : undefined);
  return {
    apply(input, written) {
      const result = jq.raw(input as object, expression, ['-c']);
      let text = '';
      for (const line of result.stdout.split('\n')) {
        if (line !== '') text += `${format(JSON.parse(line))}\n`;
      }
      if (text !== '') written(text);
      if (result.exitCode !== 0 && result.stderr !== '') throw jqError(result.stderr);
    },
  };
}

/** `text` for a terminal: tabs and line breaks kept (`@tsv`, multi-line strings), everything else that steers it removed. */
export function terminalSafeText(text: string): string {
  return text
    .split('\n')
    .map((line) => line.split('\t').map(sanitizeForDisplay).join('\t'))
    .join('\n');
}

/** jq's message on one line: `jq: error: …` without the caret drawing or the error count. */
function jqError(stderr: string): UsageError {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^\^+$/.test(line) && !/^jq: \d+ compile errors?$/.test(line))
    .map((line) => line.replace(/^jq: error( \(at [^)]*\))?: /, ''));
  return new UsageError(`--jq: ${sanitizeForDisplay(lines.join(' ')).replace(/:$/, '')}`);
}

/**
 * The writer of `logs --json F --jq E` and `search`: jq reads the whole list as one array, as
 * gh's does, so the picked events are kept until the end; then the results, then any error.
 */
export function createJqListWriter(
  filter: JqFilter,
  fields: readonly JsonField[],
  out: NodeJS.WritableStream,
): EventWriter {
  const picked: Record<string, unknown>[] = [];
  let failure: unknown;
  const writer = createEncodedWriter(
    {
      event: (event) => {
        picked.push(pickFields(event, fields));
        return '';
      },
      finish: () => {
        let text = '';
        try {
          filter.apply(picked, (results) => {
            text += results;
          });
        } catch (error) {
          failure = error;
        }
        return text;
      },
    },
    out,
  );
  return {
    write: (event) => writer.write(event),
    writeMany: (events) => writer.writeMany(events),
    async end() {
      await writer.end();
      if (failure !== undefined) throw failure;
    },
    get count() {
      return writer.count;
    },
  };
}

/**
 * The writer of `tail --json F --jq E`: each event through jq on its own, as it arrives. A
 * failure on one event is told on stderr (`warn`) and the following goes on, as jq goes on to
 * its next input.
 */
export function createJqLineWriter(
  filter: JqFilter,
  fields: readonly JsonField[],
  out: NodeJS.WritableStream,
  warn: (line: string) => void,
): LineWriter {
  return {
    write({ event }) {
      try {
        filter.apply(pickFields(event, fields), (text) => out.write(text));
      } catch (error) {
        warn(`audit: warning: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    flush() {},
  };
}
