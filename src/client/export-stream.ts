/**
 * The streamed export (`GET …/audit-logs/export`, src/domain/export-stream.ts) as chunks of
 * events. The body is read as it arrives and split into lines; a chunk is handed out only once
 * its whole line is in. A stream cut before its end line is asked for again from the last
 * complete chunk's cursor, with the same pinned bound, under the client's retry policy (the
 * resume is a retry: it waits its back-off and is reported to `onRetry`). A server without the
 * route (404, 405, 501) is paged through `GET …/audit-logs` instead, from the same cursor.
 */

import type { RowEncoder } from '../domain/event-batch.js';
import { EXPORT_STREAM_MEDIA_TYPE, ExportStreamError, isEventTime } from '../domain/export-stream.js';
import { MAX_PAGE_SIZE } from '../domain/request-limits.js';
import { exportPath, logsPath } from './api-paths.js';
import { ByteLines, LineTooLongError } from './byte-lines.js';
import type { AuditClient } from './client.js';
import type { CallOptions } from './client-options.js';
import { AuditApiError, AuditResponseError, networkError } from './errors.js';
import { advancePast, type ExportPosition } from './export-chunk-order.js';
import { type ExportChunk, parseChunkOrEnd, parseHeadLine } from './export-lines.js';
import { type EarlierFailures, type OpenAnswer, throwIfAborted } from './http.js';
import { isRetryableNetworkError, networkErrorCode } from './retry.js';
import type { ListParams } from './types.js';

export type { ExportChunk } from './export-lines.js';

/** The list filters of an export, its pinned bound, and where to start (a chunk's or a page's cursor). */
export type ExportParams = Omit<ListParams, 'order' | 'per_page' | 'page' | 'after'>;

/** A server without the stream is paged in full pages: the fewest round trips. */
export const EXPORT_PAGE_SIZE = MAX_PAGE_SIZE;
/** Statuses of a server that has no export route: it is paged instead. */
const NO_EXPORT_ROUTE = new Set([404, 405, 501]);
/**
 * The server pauses a stream whose token spent its rate-limit budget until the window (60 s)
 * resets, sending nothing meanwhile: silence shorter than this is not a dead connection.
 */
const EXPORT_IDLE_TIMEOUT_MS = 90_000;
/** A chunk is about 1 MB; one row may be larger (an event of up to 5 MiB, escaped). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Every chunk of the range, oldest first; ends when the server's end line is read. With
 * `encodeRows` (a writer's, EventWriter.encodeRows) a streamed chunk carries its rows in that
 * writer's text, each run encoded as soon as it is checked.
 */
export async function* exportChunks(
  client: AuditClient,
  params: ExportParams,
  options: CallOptions & { encodeRows?: RowEncoder | undefined } = {},
): AsyncGenerator<ExportChunk> {
  const { signal } = options;
  let cursor = params.cursor;
  const position: ExportPosition = { requested: cursor };
  let earlier: EarlierFailures | undefined;
  for (;;) {
    let answer: OpenAnswer;
    try {
      answer = await client.openAnswer('GET', exportPath(client.org), {
        query: { ...params, cursor },
        headers: { accept: EXPORT_STREAM_MEDIA_TYPE },
        signal,
        idleTimeoutMs: EXPORT_IDLE_TIMEOUT_MS,
        ...(earlier ? { earlier } : {}),
      });
    } catch (error) {
      if (!(error instanceof AuditApiError && NO_EXPORT_ROUTE.has(error.status))) throw error;
      client.trace?.(
        `the server has no export stream (${error.status}); paging through ${logsPath(client.org)} instead`,
      );
      yield* pagedChunks(client, { ...params, cursor }, options);
      return;
    }
    position.requested = cursor;
    const progress = { chunks: 0 };
    const cut = yield* readStream(answer, signal, position, progress, options.encodeRows);
    if (cut === undefined) return;
    cursor = position.last?.cursor ?? cursor;
    // A cut after a chunk is the first failure of the next request; before any, one more of this one.
    const attempts = progress.chunks > 0 ? 1 : answer.attempt;
    earlier = { attempts, error: cut.error, reason: cut.reason };
  }
}

/** How many chunks of one answer were handed out. */
interface Progress {
  chunks: number;
}

/** A stream that stopped before its end line: the error to report when no retry is left, and why. */
interface Cut {
  error: Error;
  reason: string;
}

/** The chunks of one answer; returns undefined after its end line, the Cut when it stopped before. */
async function* readStream(
  answer: OpenAnswer,
  signal: AbortSignal | undefined,
  position: ExportPosition,
  progress: Progress,
  encodeRows: RowEncoder | undefined,
): AsyncGenerator<ExportChunk, Cut | undefined> {
  const { body, method, url } = answer;
  const contentType = headerText(answer.headers['content-type']);
  const notExport = (detail?: string) =>
    new AuditResponseError({
      kind: 'not-export-stream',
      status: answer.status,
      contentType,
      method,
      url,
      ...(detail ? { detail } : {}),
    });
  const cut = (code: string | undefined, cause: unknown): Cut => ({
    error: networkError({ code, method, url, cause }),
    reason: `export stream cut${code ? ` (${code})` : ''}`,
  });
  if (!isExportStreamType(contentType)) {
    // Frees the connection; what the page says is of no use here.
    await body.dump().catch(() => undefined);
    throw notExport();
  }
  const lines = new ByteLines(MAX_LINE_BYTES);
  let head = false;
  let ended = false;
  let rows = 0;
  try {
    for await (const bytes of body) {
      for (const line of lines.push(bytes as Buffer)) {
        if (line.length === 0) continue;
        if (ended) throw new ExportStreamError('a line follows its end line');
        if (!head) {
          parseHeadLine(line);
          head = true;
          continue;
        }
        const parsed = parseChunkOrEnd(line, encodeRows);
        if ('end' in parsed) {
          if (parsed.end.count !== rows)
            throw new ExportStreamError(`its end line counts ${parsed.end.count} rows, but ${rows} came`);
          ended = true;
          continue;
        }
        advancePast(position, parsed.chunk);
        rows += parsed.chunk.count;
        progress.chunks++;
        yield parsed.chunk;
      }
    }
  } catch (error) {
    throwIfAborted(signal);
    if (error instanceof ExportStreamError || error instanceof LineTooLongError)
      throw notExport(error.message);
    if (!isRetryableNetworkError(error)) throw error;
    return cut(networkErrorCode(error), error);
  } finally {
    // Stopped early (a cut, a refusal, the caller gone): the connection is not reused.
    if (!ended && !body.destroyed) body.on('error', () => undefined).destroy();
  }
  if (ended) return undefined;
  const where = head ? 'its end line' : 'its first line';
  return cut(undefined, new Error(`the export stream stopped before ${where}`));
}

/**
 * The same range paged through the list endpoint, as an export paged before the stream existed.
 * The events' times must be times and never go back, as in the stream (export-row-runs.ts).
 */
async function* pagedChunks(
  client: AuditClient,
  params: ExportParams,
  options: CallOptions,
): AsyncGenerator<ExportChunk> {
  let cursor = params.cursor ?? null;
  let previous: string | undefined;
  const query = { ...params, order: 'asc' as const, per_page: EXPORT_PAGE_SIZE };
  for await (const page of client.pages(query, { signal: options.signal, ahead: true })) {
    for (const event of page.data) {
      const time: unknown = event?.timestamp;
      if (!isEventTime(time) || (previous !== undefined && time < previous))
        throw new AuditResponseError({
          kind: 'unexpected-shape',
          status: 200,
          contentType: 'application/json',
          method: 'GET',
          url: new URL(logsPath(client.org), client.server).href,
          detail: isEventTime(time) ? 'its events go back in time' : "an event's timestamp is not a time",
        });
      previous = time;
    }
    cursor = page.pagination.next_cursor ?? cursor;
    yield { events: page.data, cursor };
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `application/x-ndjson`, with or without parameters, in any case. */
function isExportStreamType(contentType: string | undefined): boolean {
  return contentType?.split(/[;,]/)[0]?.trim().toLowerCase() === EXPORT_STREAM_MEDIA_TYPE;
}
