/**
 * Exports a range, oldest first, through the server's export stream in chunks (paged through the
 * list where the server has no stream). The upper bound is pinned at the start
 * (`received_before`), so events arriving meanwhile neither appear nor shift the chunks; retries
 * and resuming a cut stream are the client's. The next chunk is read while one is written, so
 * the server and the writer work at once; memory holds two chunks at most.
 */
import { exportChunks } from '../client/export-stream.js';
import { batchLength } from '../domain/event-batch.js';
import { encodeResumePoint } from './export-cursor.js';
import { asOutputFileError } from './output-error.js';
import { exportQuery } from './range/export-query.js';
import { openOutputFiles } from './range/output-files.js';
import { readAhead } from './range/read-ahead.js';
import { reportHeading } from './range/report-heading.js';
import { type StopCause, stopCause } from './range/stop-cause.js';
import type { ExportRequest, ExportResult } from './types.js';

export async function exportRange(request: ExportRequest): Promise<ExportResult> {
  const now = request.now ?? Date.now;
  const startedAt = now();
  const { signal, resume } = request;
  const receivedBefore = resume?.receivedBefore ?? new Date(startedAt).toISOString();
  const query = exportQuery(request.params, receivedBefore, resume, request.treeSize);
  const out = await openOutputFiles({
    output: request.output,
    format: request.format,
    split: request.split,
    zone: request.zone,
    resume,
    outputNamedByUser: request.outputNamedByUser === true,
    sink: {
      format: request.format,
      gzip: request.gzip,
      zone: request.zone,
      csvColumns: request.columns,
      stdout: request.stdout,
      report: reportHeading(request, startedAt),
      signal,
      onRendering: request.onRendering,
    },
  });

  let written = resume?.written ?? 0;
  let pages = 0;
  let pageCursor = resume?.pageCursor ?? null;
  const result = (extra: Partial<ExportResult> = {}): ExportResult => ({
    count: written,
    pages,
    retries: request.retries?.() ?? 0,
    files: out.files,
    ...(request.split ? { periods: out.periods } : {}),
    elapsedMs: now() - startedAt,
    ...extra,
  });

  let stop: StopCause | undefined;
  try {
    const chunks = exportChunks(request.client, query, { signal, encodeRows: out.encodeRows });
    for await (const chunk of readAhead(chunks)) {
      await out.write(chunk);
      written += batchLength(chunk);
      pages++;
      pageCursor = chunk.cursor ?? pageCursor;
      await request.onProgress?.({
        events: written,
        pages,
        retries: request.retries?.() ?? 0,
        elapsedMs: now() - startedAt,
        ...(out.current ? { file: out.current } : {}),
      });
      // The chunk in hand is written; stop before reading the next one.
      if (signal?.aborted) {
        stop = { cause: 'signal', reason: 'interrupted' };
        break;
      }
    }
  } catch (error) {
    stop = stopCause(error, signal);
    // Nothing on disk yet: no partial to keep, nothing to resume; the failure is said as it is.
    if (!stop || written === 0) {
      const failed = out.current ?? request.output;
      await out.discard();
      if (stop?.cause === 'signal') return result({ interrupted: { cursor: null, ...stop } });
      throw asOutputFileError(error, failed);
    }
  }

  if (!stop) {
    const last = out.current ?? request.output;
    try {
      await out.finish();
    } catch (error) {
      // Stopped while the last file was completed (a PDF is drawn only then): it was discarded.
      if (signal?.aborted)
        return result({ interrupted: { cursor: null, reason: 'interrupted', cause: 'signal' } });
      throw asOutputFileError(error, last);
    }
    return result();
  }
  const kept = await out.suspend();
  const point = {
    pageCursor,
    receivedBefore,
    written,
    ...(kept.period ? { period: kept.period } : {}),
    ...(request.columns ? { columns: request.columns } : {}),
  };
  return result({
    interrupted: {
      cursor: kept.resumable ? encodeResumePoint(point) : null,
      reason: stop.reason,
      cause: stop.cause,
      ...(kept.partial ? { partial: kept.partial } : {}),
    },
  });
}
