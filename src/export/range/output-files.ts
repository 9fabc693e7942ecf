/**
 * Where the events of an export go: one sink, or with `--split` one per period of the display
 * zone, each a run of a page in one write. Tracks the files completed and, when the export
 * stops, keeps the partial a resume appends to (or drops what cannot be resumed).
 */
import {
  batchLength,
  batchOfRows,
  batchTimestamp,
  type EventBatch,
  type RowEncoder,
  sliceBatch,
} from '../../domain/event-batch.js';
import type { ResumePoint } from '../export-cursor.js';
import { createPeriodClock, fileForPeriod } from '../export-files.js';
import { type EventSink, openEventSink, type SinkOptions } from '../export-sink.js';
import type { ExportFormat, SplitPeriod } from '../types.js';

export interface OutputFilesOptions {
  output: string;
  format: ExportFormat;
  split: SplitPeriod | undefined;
  zone: string;
  resume: ResumePoint | undefined;
  /** The sink options but for appending and the link rule, which depend on the file. */
  sink: Omit<SinkOptions, 'append' | 'namedByUser'>;
  outputNamedByUser: boolean;
}

export interface Suspended {
  resumable: boolean;
  /** The `NAME.partial` kept for the resume. */
  partial?: string;
  /** The split period whose partial is kept. */
  period?: string;
}

export interface OutputFiles {
  /** Files completed (renamed to their final name). */
  readonly files: string[];
  /** With --split: the period of each of `files`. */
  readonly periods: string[];
  /** The file being written, if any. */
  readonly current: string | undefined;
  /**
   * Rows to the text of the one file they all go to, as they arrive (EventSink.encodeRows);
   * undefined with --split, whose rows are placed by their times first.
   */
  readonly encodeRows: RowEncoder | undefined;
  /** A chunk of events, as rows when it came so (see EventSink.writeMany). */
  write(batch: EventBatch): Promise<void>;
  /** Completes the file in hand. */
  finish(): Promise<void>;
  /** Stopped early: keeps the partial in hand for a resume when the format allows. */
  suspend(): Promise<Suspended>;
  /** Failed: drops the partial in hand. */
  discard(): Promise<void>;
}

export async function openOutputFiles(options: OutputFilesOptions): Promise<OutputFiles> {
  const { output, split, resume } = options;
  const periodOf = split ? createPeriodClock(split, options.zone) : undefined;
  const open = (path: string, append: boolean) =>
    openEventSink(path, {
      ...options.sink,
      append,
      namedByUser: options.outputNamedByUser && !periodOf,
    });
  const files: string[] = [];
  const periods: string[] = [];
  let sink: EventSink | undefined;
  let period: string | undefined;

  // Without --split there is one output, opened now so that an empty range still gives a valid
  // file; a resume appends to the partial it left (with --split, the period's partial).
  if (!periodOf) sink = await open(output, resume !== undefined);
  else if (resume?.period !== undefined) {
    period = resume.period;
    sink = await open(fileForPeriod(output, period), true);
  }

  const finish = async () => {
    if (!sink) return;
    const done = sink;
    sink = undefined;
    try {
      await done.finish();
    } catch (error) {
      await done.discard().catch(() => undefined);
      throw error;
    }
    files.push(done.file.path);
    if (period !== undefined) periods.push(period);
  };

  /** Each run of the batch's events in one period into that period's file, in order. */
  async function writeByPeriod(batch: EventBatch, periodOf: (timestamp: string) => string): Promise<void> {
    const length = batchLength(batch);
    let start = 0;
    while (start < length) {
      const runPeriod = periodOf(batchTimestamp(batch, start));
      let end = start + 1;
      while (end < length && periodOf(batchTimestamp(batch, end)) === runPeriod) end++;
      if (runPeriod !== period || !sink) {
        await finish();
        period = runPeriod;
        sink = await open(fileForPeriod(output, period), false);
      }
      await sink.writeMany(sliceBatch(batch, start, end));
      start = end;
    }
  }

  return {
    files,
    periods,
    get current() {
      return sink?.file.path;
    },
    encodeRows: periodOf ? undefined : sink?.encodeRows,
    async write(batch) {
      if (!periodOf) {
        await (sink as EventSink).writeMany(batch);
        return;
      }
      // A chunk kept as bytes is cut into periods a run at a time: no run outlives its writing.
      if (batch.rowRuns) {
        for (const rows of batch.rowRuns()) await writeByPeriod(batchOfRows(rows), periodOf);
      } else await writeByPeriod(batch, periodOf);
    },
    finish,
    async suspend() {
      const resumable = sink?.resumable ?? options.format !== 'pdf';
      if (sink && resumable) await sink.keep();
      else await sink?.discard();
      const partial = resumable ? sink?.file.partialPath : undefined;
      return { resumable, ...(partial ? { partial } : {}), ...(period ? { period } : {}) };
    },
    async discard() {
      await sink?.discard().catch(() => undefined);
    },
  };
}
