import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient } from '../../src/client/client.js';
import { AuditApiError, AuditNetworkError, AuditResponseError } from '../../src/client/errors.js';
import { type ExportChunk, exportChunks } from '../../src/client/export-stream.js';
import type { RetryInfo } from '../../src/client/http.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { EXPORT_ROW_FIELDS } from '../../src/domain/export-stream.js';
import { syntheticEvent } from '../helpers/event-pages-server.js';
import { startExportStreamServer, syntheticRow } from '../helpers/export-stream-server.js';

const CHUNKS = 3;
const ROWS = 2;
const ALL_IDS = Array.from({ length: CHUNKS * ROWS }, (_, n) => syntheticEvent(n).id);

describe('the client of the streamed export', () => {
  let server: Awaited<ReturnType<typeof startExportStreamServer>>;
  const clients: AuditClient[] = [];
  const client = (options: { attempts?: number; retries?: RetryInfo[]; trace?: string[] } = {}) => {
    const made = new AuditClient({
      server: server.url,
      org: 'default',
      token: 'adt_test',
      attempts: options.attempts ?? 8,
      sleep: async () => {},
      onRetry: (info) => options.retries?.push(info),
      trace: options.trace ? (line) => options.trace?.push(line) : undefined,
    });
    clients.push(made);
    return made;
  };
  const collect = async (source: AsyncIterable<ExportChunk>) => {
    const chunks: ExportChunk[] = [];
    for await (const chunk of source) chunks.push(chunk);
    return chunks;
  };
  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      () => Promise.reject(new Error('expected a rejection')),
      (error: unknown) => error,
    );

  beforeAll(async () => {
    server = await startExportStreamServer({ chunks: CHUNKS, rowsPerChunk: ROWS });
  });
  afterAll(async () => {
    await Promise.all(clients.map((made) => made.close()));
    await server.close();
  });

  it('reads every chunk with its cursor, each event decoded as the list shows it', async () => {
    const chunks = await collect(exportChunks(client(), { received_before: '2030-01-01T00:00:00.000Z' }));
    expect(chunks.map((chunk) => chunk.cursor)).toEqual(['c0', 'c1', 'c2']);
    expect(chunks.flatMap((chunk) => chunk.events)).toEqual(ALL_IDS.map((_, n) => syntheticEvent(n)));
    expect(server.requests.at(-1)?.searchParams.get('received_before')).toBe('2030-01-01T00:00:00.000Z');
  });

  // Two requests for every byte of the answer: seconds on a quiet machine, more under load.
  it('a stream cut at any byte is resumed from the last complete chunk: every event once, none twice', {
    timeout: 180_000,
  }, async () => {
    for (let cut = 0; cut < server.streamBytes; cut++) {
      const retries: RetryInfo[] = [];
      server.reset();
      server.cutNext(cut);
      const cutClient = client({ retries });
      const chunks = await collect(exportChunks(cutClient, {})).finally(() => cutClient.close());
      const ids = chunks.flatMap((chunk) => chunk.events.map((event) => event.id));
      expect({ cut, ids }).toEqual({ cut, ids: ALL_IDS });
      // The resume asked from the last chunk that was whole before the cut, and counted as a retry.
      const wholeBefore = server.lineEnds.filter((end, line) => line > 0 && end <= cut).length;
      expect(server.requests.map((url) => url.searchParams.get('cursor'))).toEqual([
        null,
        wholeBefore === 0 ? null : `c${wholeBefore - 1}`,
      ]);
      expect(retries).toHaveLength(1);
      expect(retries[0]?.reason).toMatch(/^export stream cut/);
    }
  });

  it('a server that cuts the stream mid-row hands out no part of that chunk', async () => {
    server.reset();
    const midRow = (server.lineEnds[1] as number) + 40;
    server.cutNext(midRow, 60);
    const handed: ExportChunk[] = [];
    await rejection(
      (async () => {
        for await (const chunk of exportChunks(client({ attempts: 2 }), {})) handed.push(chunk);
      })(),
    );
    expect(handed.map((chunk) => chunk.cursor)).toEqual(['c0']);
    expect(handed[0]?.events).toHaveLength(ROWS);
    server.reset();
  });

  it('stops with a network error once the retry policy is spent, having handed out only whole chunks', async () => {
    const retries: RetryInfo[] = [];
    // The first answer gets one chunk through, then every resume is cut before a chunk is whole.
    server.cutNext(server.lineEnds[1] as number, ...Array(20).fill(10));
    const handed: ExportChunk[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of exportChunks(client({ attempts: 3, retries }), {})) handed.push(chunk);
      })(),
    );
    expect(error).toBeInstanceOf(AuditNetworkError);
    expect((error as Error).message).toMatch(/stopped before|closed/);
    expect(handed.map((chunk) => chunk.cursor)).toEqual(['c0']);
    // Three attempts in all after the last progress: the cut one and two resumes.
    expect(retries).toHaveLength(2);
    expect(server.requests.map((url) => url.searchParams.get('cursor'))).toEqual([null, 'c0', 'c0']);
    server.reset();
  });

  it('a server without the export route (404, 405, 501) is paged instead, from the same cursor, said once in the trace', async () => {
    for (const status of [404, 405, 501]) {
      const trace: string[] = [];
      server.answerNext({ status, type: 'application/problem+json', body: '{"title":"no"}' });
      const chunks = await collect(exportChunks(client({ trace }), { cursor: 'c0' }));
      expect(chunks.flatMap((chunk) => chunk.events.map((event) => event.id))).toEqual(ALL_IDS.slice(ROWS));
      expect(chunks.at(-1)?.cursor).toBe('c1');
      expect(trace.filter((line) => line.includes('no export stream'))).toEqual([
        expect.stringContaining(`(${status}); paging through /api/v1/organizations/default/audit-logs`),
      ]);
      const paged = server.requests.at(-1) as URL;
      expect(paged.pathname).toMatch(/\/audit-logs$/);
      expect(paged.searchParams.get('order')).toBe('asc');
    }
  });

  it('a hostile older server whose pages go back in time, or hold no time, is refused, not paged into a --split file', async () => {
    for (const change of [
      (events: AuditEvent[]) => [...events].reverse(),
      (events: AuditEvent[]) =>
        events.map((event, n) => (n === 1 ? { ...event, timestamp: 'not a time' } : event)),
    ]) {
      server.changePages(change);
      server.answerNext({ status: 404, type: 'application/problem+json', body: '{"title":"no"}' });
      const error = await rejection(collect(exportChunks(client(), {})));
      expect(error).toBeInstanceOf(AuditResponseError);
      expect((error as AuditResponseError).kind).toBe('unexpected-shape');
      server.reset();
    }
  });

  it('a 429 before the stream starts is retried like any 429', async () => {
    const retries: RetryInfo[] = [];
    server.answerNext({
      status: 429,
      type: 'application/problem+json',
      body: '{"title":"Too Many Requests"}',
    });
    const chunks = await collect(exportChunks(client({ retries }), {}));
    expect(chunks).toHaveLength(CHUNKS);
    expect(retries.map((retry) => retry.reason)).toEqual(['429 Too Many Requests']);
  });

  it('a proxy answering 200 text/html is not an export stream: a typed error naming the server', async () => {
    server.answerNext({ status: 200, type: 'text/html', body: '<html>Sign in</html>' });
    const error = await rejection(collect(exportChunks(client(), {})));
    expect(error).toBeInstanceOf(AuditResponseError);
    expect((error as AuditResponseError).kind).toBe('not-export-stream');
    expect((error as Error).message).toBe(
      `the answer of ${server.url} to GET /api/v1/organizations/default/audit-logs/export is not an export stream (200, text/html); is ${server.url} an audit server?`,
    );
  });

  it('an NDJSON answer whose lines break the contract is refused, not retried', async () => {
    const ndjson = 'application/x-ndjson';
    const head = `{"columns":${JSON.stringify(['id', 'timestamp'])}}\n`;
    const retries: RetryInfo[] = [];
    server.answerNext({ status: 200, type: ndjson, body: head });
    const wrongHead = await rejection(collect(exportChunks(client({ retries }), {})));
    expect(wrongHead).toBeInstanceOf(AuditResponseError);
    expect((wrongHead as Error).message).toContain('does not name the columns of an export');
    // An end line that counts rows that never came: something was lost, and it is not said to be complete.
    const goodHead = `{"columns":${JSON.stringify(EXPORT_ROW_FIELDS)},"received_before":null}\n`;
    const chunk = `{"cursor":"c0","rows":[${JSON.stringify(syntheticRow(0))}]}\n`;
    server.answerNext({ status: 200, type: ndjson, body: `${goodHead}${chunk}{"end":true,"count":2}\n` });
    const miscounted = await rejection(collect(exportChunks(client({ retries }), {})));
    expect((miscounted as Error).message).toContain('its end line counts 2 rows, but 1 came');
    server.answerNext({ status: 200, type: ndjson, body: `${goodHead}{"end":true,"count":0}\n${chunk}` });
    const afterEnd = await rejection(collect(exportChunks(client({ retries }), {})));
    expect((afterEnd as Error).message).toContain('a line follows its end line');
    expect(retries).toEqual([]);
  });

  it('a refusal of the request (400, 403) is the API error it is, not a fallback', async () => {
    server.answerNext({
      status: 400,
      type: 'application/problem+json',
      body: '{"title":"Bad Request","detail":"order is not accepted"}',
    });
    const error = await rejection(collect(exportChunks(client(), {})));
    expect(error).toBeInstanceOf(AuditApiError);
    expect((error as AuditApiError).status).toBe(400);
  });
});
