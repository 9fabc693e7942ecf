/**
 * Exports a range, every page, oldest first, through the client's cursor pages. The upper bound
 * is pinned at the start (`received_before`), so events arriving meanwhile neither appear nor
 * shift the pages; retries are the client's. The next page is asked for while one is written,
 * so the server and the writer work at once; memory holds two pages at most.
 */

import { AuditApiError, AuditNetworkError } from '../client/errors.js';
import { isRetryableStatus } from '../client/retry.js';
import type { AuditEvent, ListParams } from '../client/types.js';
import { formatTimestamp } from '../format/time-format.js';
import { STDOUT } from './atomic-file.js';
import {
  decodeResumePoint,
  ExportCursorError,
  encodeResumePoint,
  type ResumePoint,
} from './export-cursor.js';
import { createPeriodClock, fileForPeriod } from './export-files.js';
import { type EventSink, openEventSink, type SinkOptions } from './export-sink.js';
import type { ExportRequest, ExportResult } from './types.js';

export const EXPORT_PAGE_SIZE = 1000;

export async function exportRange(request: ExportRequest): Promise<ExportResult> {
  const now = request.now ?? Date.now;
  const startedAt = now();
  const { signal, split } = request;
  if (split && request.output === STDOUT)
    throw new Error('a split export writes files; give a file name, not -');
  const resume = request.cursor === undefined ? undefined : decodeResumePoint(request.cursor);
  if (resume && request.format === 'pdf') {
    throw new ExportCursorError('--cursor: a PDF report cannot be resumed; export it again without --cursor');
  }
  const receivedBefore = resume?.receivedBefore ?? new Date(startedAt).toISOString();
  const params: ListParams = {
    ...request.params,
    order: 'asc',
    per_page: EXPORT_PAGE_SIZE,
    received_before: receivedBefore,
  };
  delete params.page;
  delete params.after;
  delete params.cursor;
  if (resume?.pageCursor) params.cursor = resume.pageCursor;

  const periodOf = split ? createPeriodClock(split, request.zone) : undefined;
  const pathFor = (period: string | undefined) =>
    period === undefined ? request.output : fileForPeriod(request.output, period);
  const sinkOptions = (append: boolean): SinkOptions => ({
    format: request.format,
    gzip: request.gzip,
    append,
    namedByUser: request.outputNamedByUser === true && !periodOf,
    zone: request.zone,
    stdout: request.stdout,
    report: reportHeading(request),
  });

  let sink: EventSink | undefined;
  let period: string | undefined;
  const files: string[] = [];
  let written = resume?.written ?? 0;
  let pages = 0;
  let pageCursor = resume?.pageCursor ?? null;
  const progress = () => ({
    events: written,
    pages,
    retries: request.retries?.() ?? 0,
    elapsedMs: now() - startedAt,
    ...(sink ? { file: sink.file.path } : {}),
  });
  const result = (extra: Partial<ExportResult> = {}): ExportResult => ({
    count: written,
    pages,
    retries: request.retries?.() ?? 0,
    files,
    elapsedMs: now() - startedAt,
    ...extra,
  });

  // Without --split there is one output, opened now so that an empty range still gives a valid
  // file; a resume appends to the partial it left (with --split, the period's partial).
  if (!periodOf) sink = await openEventSink(request.output, sinkOptions(resume !== undefined));
  else if (resume?.period !== undefined) {
    period = resume.period;
    sink = await openEventSink(pathFor(period), sinkOptions(true));
  }

  let stop: { cause: 'signal' | 'network'; reason: string } | undefined;
  try {
    for await (const page of readAhead(request.client.pages(params, { signal, ahead: true }))) {
      // Each run of the page that falls in one period goes to its file in one write.
      let start = 0;
      while (start < page.data.length) {
        let end = page.data.length;
        if (periodOf) {
          const runPeriod = periodOf((page.data[start] as AuditEvent).timestamp);
          end = start + 1;
          while (end < page.data.length && periodOf((page.data[end] as AuditEvent).timestamp) === runPeriod)
            end++;
          if (runPeriod !== period || !sink) {
            if (sink) await finish(sink, files);
            sink = undefined;
            period = runPeriod;
            sink = await openEventSink(pathFor(period), sinkOptions(false));
          }
        }
        await (sink as EventSink).writeMany(page.data.slice(start, end));
        start = end;
      }
      written += page.data.length;
      pages++;
      pageCursor = page.pagination.next_cursor ?? pageCursor;
      await request.onProgress?.(progress());
      // The page in hand is written; stop before asking for the next one.
      if (signal?.aborted && page.pagination.has_more) {
        stop = { cause: 'signal', reason: 'interrupted' };
        break;
      }
    }
  } catch (error) {
    stop = stopCause(error, signal);
    if (!stop) {
      await sink?.discard().catch(() => undefined);
      throw error;
    }
  }

  if (!stop) {
    if (sink) await finish(sink, files);
    return result();
  }
  const resumable = sink?.resumable ?? request.format !== 'pdf';
  if (sink && resumable) await sink.keep();
  else await sink?.discard();
  const point: ResumePoint = { pageCursor, receivedBefore, written, ...(period ? { period } : {}) };
  const partial = resumable ? sink?.file.partialPath : undefined;
  return result({
    interrupted: {
      cursor: resumable ? encodeResumePoint(point) : null,
      reason: stop.reason,
      cause: stop.cause,
      ...(partial ? { partial } : {}),
    },
  });
}

/** Yields what `source` yields, asking it for the next item as soon as one is handed out. */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // A failure of the page asked for ahead surfaces when it is awaited, not as unhandled.
      next.catch(() => undefined);
      // Let the request for the next page go out before the caller works on this one: undici
      // writes it to the socket on a later turn of the event loop, and a caller busy turning
      // a page into CSV kept the server waiting (server and client then took turns, idle half
      // the time each).
      await new Promise((resolve) => setImmediate(resolve));
      yield result.value;
    }
  } finally {
    await iterator.return?.(undefined).catch(() => undefined);
  }
}

async function finish(sink: EventSink, files: string[]): Promise<void> {
  try {
    await sink.finish();
  } catch (error) {
    await sink.discard().catch(() => undefined);
    throw error;
  }
  files.push(sink.file.path);
}

/** An abort, or the network/server giving up after every retry: resumable. Anything else is not. */
function stopCause(
  error: unknown,
  signal: AbortSignal | undefined,
): { cause: 'signal' | 'network'; reason: string } | undefined {
  if (signal?.aborted) return { cause: 'signal', reason: 'interrupted' };
  if (!(error instanceof Error)) return undefined;
  const gaveUp =
    error instanceof AuditNetworkError || (error instanceof AuditApiError && isRetryableStatus(error.status));
  return gaveUp ? { cause: 'network', reason: error.message } : undefined;
}

function reportHeading(request: ExportRequest): SinkOptions['report'] {
  const { params, zone } = request;
  const bound = (iso: string | undefined, fallback: string) =>
    iso === undefined ? fallback : formatTimestamp(iso, zone);
  return {
    title: 'Audit log report',
    organization: request.description?.organization ?? request.client.org ?? '',
    period: `${bound(params.from, 'the beginning')} to ${bound(params.to, 'now')} (${zone})`,
    filters: request.description?.filters ?? {},
  };
}
