/**
 * A scripted peer for the client's side of the streamed export: `GET …/audit-logs/export`
 * answers the contract's lines (src/domain/export-stream.ts) for `chunks` chunks of synthetic
 * rows, from the chunk after `cursor` (`c<N>` is the cursor after chunk N); the list route pages
 * the same events. `cutNext` makes the next answers stop after a number of bytes, as a network
 * that fails mid-stream does; `answerNext` replaces the next answers. For byte-level faults at
 * every position, which a proxy in front of the real server cannot aim as finely.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '../../src/domain/event.js';
import { EXPORT_ROW_FIELDS } from '../../src/domain/export-stream.js';
import { syntheticEvent } from './event-pages-server.js';

export interface ScriptedAnswer {
  status: number;
  type: string;
  body: string;
}

/** The event `n` as a row of the stream. */
export function syntheticRow(n: number): unknown[] {
  const event = syntheticEvent(n);
  return [
    event.id,
    event.timestamp,
    event.category,
    event.action,
    event.description,
    event.actor?.id ?? null,
    event.actor?.name ?? null,
    event.actor?.email ?? null,
    event.actor?.type ?? null,
    event.target?.type ?? null,
    event.target?.id ?? null,
    event.target?.name ?? null,
    event.context?.ip_address ?? null,
    event.context?.user_agent ?? null,
    event.context?.team_id ?? null,
    event.context?.team_name ?? null,
    event.changes,
    event.metadata,
  ];
}

export async function startExportStreamServer(options: { chunks: number; rowsPerChunk: number }) {
  const { chunks, rowsPerChunk } = options;
  const cuts: number[] = [];
  const answers: ScriptedAnswer[] = [];
  const requests: URL[] = [];
  /** What the list pages say instead of their events, when set (a hostile older server). */
  let pageEvents: ((events: AuditEvent[]) => AuditEvent[]) | undefined;
  const head = `${JSON.stringify({ columns: EXPORT_ROW_FIELDS, received_before: null })}\n`;
  const chunkLine = (index: number) => {
    const rows = Array.from({ length: rowsPerChunk }, (_, row) => syntheticRow(index * rowsPerChunk + row));
    return `{"cursor":"c${index}","rows":[${rows.map((row) => JSON.stringify(row)).join(',')}]}\n`;
  };
  const streamFrom = (first: number) => {
    let text = head;
    for (let index = first; index < chunks; index++) text += chunkLine(index);
    return `${text}{"end":true,"count":${(chunks - first) * rowsPerChunk}}\n`;
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(url);
    request.resume();
    const cursor = url.searchParams.get('cursor');
    const first = cursor === null ? 0 : Number(cursor.slice(1)) + 1;
    const scripted = url.pathname.endsWith('/export') ? answers.shift() : undefined;
    if (scripted) {
      response.writeHead(scripted.status, { 'content-type': scripted.type });
      response.end(scripted.body);
      return;
    }
    if (url.pathname.endsWith('/audit-logs/export')) {
      const bytes = Buffer.from(streamFrom(first));
      const cut = cuts.shift();
      response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      if (cut === undefined) {
        response.end(bytes);
        return;
      }
      // The bytes before the cut reach the client; then the connection fails.
      response.write(bytes.subarray(0, cut), () => response.socket?.destroy());
      return;
    }
    if (url.pathname.endsWith('/audit-logs')) {
      const page = cursor === null ? 0 : first;
      const events = Array.from({ length: rowsPerChunk }, (_, row) =>
        syntheticEvent(page * rowsPerChunk + row),
      );
      const data = pageEvents ? pageEvents(events) : events;
      const more = page + 1 < chunks;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          data,
          pagination: { per_page: rowsPerChunk, next_cursor: more ? `c${page}` : null, has_more: more },
        }),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** The whole answer from the start, as bytes: what a cut position counts in. */
    streamBytes: Buffer.byteLength(streamFrom(0)),
    /** Where each line of the whole answer ends (just after its newline), in bytes. */
    lineEnds: lineEndsOf(streamFrom(0)),
    requests,
    /** The next export answers stop after these many bytes each. */
    cutNext(...afterBytes: number[]) {
      cuts.push(...afterBytes);
    },
    /** The next export requests get these answers instead. */
    answerNext(...scripted: ScriptedAnswer[]) {
      answers.push(...scripted);
    },
    /** List pages answer what `change` makes of their events. */
    changePages(change: (events: AuditEvent[]) => AuditEvent[]) {
      pageEvents = change;
    },
    /** Forget the cuts and answers not used yet, the requests seen and any page change. */
    reset() {
      pageEvents = undefined;
      cuts.length = 0;
      answers.length = 0;
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Where each line of `text` ends, just after its newline, in bytes. */
function lineEndsOf(text: string): number[] {
  const ends: number[] = [];
  let end = 0;
  for (const line of text.split('\n').slice(0, -1)) {
    end += Buffer.byteLength(line) + 1;
    ends.push(end);
  }
  return ends;
}
