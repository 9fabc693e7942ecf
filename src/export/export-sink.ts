/** One output of an export: a format writer on top of an atomic output file. */

import type { EventBatch, RowEncoder } from '../domain/event-batch.js';
import type { CsvColumn } from '../format/columns.js';
import { createEventWriter } from '../format/event-writer.js';
import { type OutputFile, openOutputFile } from './atomic-file.js';
import { type RenderProgress, writePdf } from './pdf-sink.js';
import type { ExportFormat } from './types.js';

export interface EventSink {
  readonly file: OutputFile;
  /** Events written through this sink (not those an appended partial already held). */
  readonly count: number;
  /** A run of events (a chunk, or the part of it in one --split period). */
  writeMany(batch: EventBatch): Promise<void>;
  /** Rows to this sink's text as they arrive (EventWriter.encodeRows); undefined for PDF, JSON, NDJSON. */
  readonly encodeRows?: RowEncoder | undefined;
  /** Close the format (`]`, the PDF's last page) and commit the file under its final name. */
  finish(): Promise<void>;
  /** Leave `NAME.partial` as it is, format left open, for a resume to append to. */
  keep(): Promise<void>;
  discard(): Promise<void>;
  /** False for formats a resume cannot append to (PDF). */
  readonly resumable: boolean;
}

export interface SinkOptions {
  format: ExportFormat;
  gzip: boolean;
  append: boolean;
  /** The user named this path with -o (see OutputFileOptions.namedByUser). */
  namedByUser: boolean;
  zone: string;
  /** CSV: the columns `--columns` chose. */
  csvColumns?: readonly CsvColumn[] | undefined;
  stdout?: NodeJS.WritableStream | undefined;
  /** The PDF report's heading. */
  report: {
    title: string;
    organization: string;
    period: string;
    filters: Record<string, string>;
    /** When the report says it was made; default when it is drawn. */
    generatedAt?: Date;
  };
  /** Stops a PDF while it is drawn (the finish then rejects and the file is discarded). */
  signal?: AbortSignal | undefined;
  /** How far a PDF's drawing has come (it is drawn when the last event is in, at `finish`). */
  onRendering?: ((progress: RenderProgress & { file: string }) => void) | undefined;
}

export async function openEventSink(path: string, options: SinkOptions): Promise<EventSink> {
  const { format, zone } = options;
  const file = await openOutputFile(path, {
    gzip: options.gzip,
    append: options.append && format !== 'pdf',
    stdout: options.stdout,
    namedByUser: options.namedByUser,
  });
  if (format === 'pdf') {
    const pdf = writePdf(file.stream, {
      ...options.report,
      zone,
      signal: options.signal,
      onProgress: (progress) => options.onRendering?.({ ...progress, file: file.path }),
    });
    return {
      file,
      resumable: false,
      get count() {
        return pdf.count;
      },
      async writeMany(batch) {
        for (const event of batch.events) await pdf.write(event);
      },
      async finish() {
        await pdf.end();
        await file.commit();
      },
      // A PDF cut short cannot be continued: drop it, the resume starts it over.
      async keep() {
        pdf.abandon();
        await file.discard();
      },
      async discard() {
        pdf.abandon();
        await file.discard();
      },
    };
  }
  const writer = createEventWriter(format, file.stream, {
    zone,
    continues: file.appended,
    csvColumns: options.csvColumns,
  });
  return {
    file,
    resumable: true,
    get count() {
      return writer.count;
    },
    writeMany: (batch) => writer.writeMany(batch),
    encodeRows: writer.encodeRows,
    async finish() {
      await writer.end();
      await file.commit();
    },
    keep: () => file.keep(),
    discard: () => file.discard(),
  };
}
