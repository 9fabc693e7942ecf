/** The CSV reader of `audit import`: the export's columns back to events, streamed record by record. */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { csvRecordToEventInput, type ImportRecord, record } from './event-input.js';
import { MalformedInputError } from './lines.js';

/** A CSV export: the header must name `action`; the SPEC's columns map back to the event shape. */
export async function* readCsv(chunks: AsyncIterable<Buffer>): AsyncGenerator<ImportRecord> {
  const parser = parseCsv({
    bom: true,
    columns: (header: string[]) => {
      if (!header.includes('action')) {
        throw new MalformedInputError('line 1', 'the CSV header has no "action" column');
      }
      return header;
    },
    skip_empty_lines: true,
    info: true,
  });
  const source = Readable.from(chunks);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  // Where the next record starts: after the previous one's last line and any empty lines skipped.
  let previousEnd = 1;
  let previousEmpty = 0;
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; empty_lines: number };
    }>) {
      const start = previousEnd + 1 + (info.empty_lines - previousEmpty);
      previousEnd = info.lines;
      previousEmpty = info.empty_lines;
      yield record(`line ${start}`, () => csvRecordToEventInput(row));
    }
  } catch (error) {
    throw csvError(error);
  } finally {
    source.destroy();
  }
}

function csvError(error: unknown): unknown {
  if (error instanceof MalformedInputError) return error;
  const { code, lines } = error as { code?: unknown; lines?: unknown };
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    const reason = (error as Error).message.replace(/ (on|at) line \d+$/, '');
    return new MalformedInputError(typeof lines === 'number' ? `line ${lines}` : undefined, reason);
  }
  // The columns callback's error arrives wrapped by csv-parse.
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof MalformedInputError ? cause : error;
}
