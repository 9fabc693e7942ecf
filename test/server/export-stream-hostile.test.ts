import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditClient } from '../../src/client/client.js';
import { AuditResponseError } from '../../src/client/errors.js';
import { type ExportChunk, exportChunks } from '../../src/client/export-stream.js';
import type { RetryInfo } from '../../src/client/http.js';
import { EXPORT_CHUNK_MAX_ROWS, EXPORT_ROW_FIELDS } from '../../src/domain/export-stream.js';
import { startExportStreamServer, syntheticRow } from '../helpers/export-stream-server.js';

const NDJSON = 'application/x-ndjson';
const HEAD = `${JSON.stringify({ columns: EXPORT_ROW_FIELDS, received_before: null })}\n`;
const chunkLine = (cursor: string, rows: number[]) =>
  `{"cursor":"${cursor}","rows":[${rows.map((n) => JSON.stringify(syntheticRow(n))).join(',')}]}\n`;
/** An answer of these lines and no end line: to the client, a stream that was cut. */
const cutAnswer = (...lines: string[]) => ({ status: 200, type: NDJSON, body: HEAD + lines.join('') });

describe('a hostile export server cannot make the client loop or hand out a row twice', () => {
  let server: Awaited<ReturnType<typeof startExportStreamServer>>;
  const clients: AuditClient[] = [];
  let retries: RetryInfo[];
  let handed: ExportChunk[];
  const client = () => {
    const made = new AuditClient({
      server: server.url,
      org: 'default',
      token: 'adt_test',
      attempts: 8,
      sleep: async () => {},
      onRetry: (info) => retries.push(info),
    });
    clients.push(made);
    return made;
  };
  /** The error the export stops with; the chunks it handed out before are in `handed`. */
  const failure = async (params: { cursor?: string } = {}) => {
    try {
      for await (const chunk of exportChunks(client(), params)) {
        handed.push(chunk);
        if (handed.length > 100) break;
      }
    } catch (error) {
      return error as Error;
    }
    throw new Error(`no error; ${handed.length} chunks handed out`);
  };
  const handedIds = () => handed.flatMap((chunk) => chunk.events.map((event) => event.id));
  /** A contract break is not a cut: it is not asked for again (after `cuts` real cuts were). */
  const expectContractBreak = (error: Error, detail: string, cuts = 0) => {
    expect(error).toBeInstanceOf(AuditResponseError);
    expect((error as AuditResponseError).kind).toBe('not-export-stream');
    expect(error.message).toContain(detail);
    expect(retries).toHaveLength(cuts);
  };

  beforeAll(async () => {
    server = await startExportStreamServer({ chunks: 3, rowsPerChunk: 2 });
  });
  beforeEach(() => {
    server.reset();
    retries = [];
    handed = [];
  });
  afterAll(async () => {
    await Promise.all(clients.map((made) => made.close()));
    await server.close();
  });

  it('a server that answers every resume with the chunk it resumes after is refused, not resumed forever', async () => {
    server.answerNext(...Array.from({ length: 50 }, () => cutAnswer(chunkLine('SAME', [0]))));
    const error = await failure();
    expectContractBreak(error, "a chunk's cursor is the one it was asked to resume after", 1);
    expect(handedIds()).toEqual([syntheticRow(0)[0]]);
    expect(server.requests).toHaveLength(2);
  });

  it('a chunk that repeats the cursor of the chunk before it is refused', async () => {
    server.answerNext(cutAnswer(chunkLine('c0', [0]), chunkLine('c0', [1])));
    const error = await failure();
    expectContractBreak(error, "a chunk's cursor is the one of the chunk before it");
    expect(handed.map((chunk) => chunk.cursor)).toEqual(['c0']);
  });

  it('a resume whose cursor goes backwards, sending rows already handed out, is refused before they are', async () => {
    server.answerNext(cutAnswer(chunkLine('c0', [0]), chunkLine('c1', [1])), {
      status: 200,
      type: NDJSON,
      body: `${HEAD}${chunkLine('c9', [0, 1])}{"end":true,"count":2}\n`,
    });
    const error = await failure();
    expectContractBreak(error, "a chunk's first row is older than the row before it", 1);
    expect(handedIds()).toEqual([syntheticRow(0)[0], syntheticRow(1)[0]]);
    // The cut was resumed once, from the last chunk; the answer to the resume broke the contract.
    expect(server.requests.map((url) => url.searchParams.get('cursor'))).toEqual([null, 'c1']);
  });

  it('a chunk whose first row repeats the last row of the chunk before it is refused, at the same time or not', async () => {
    server.answerNext(cutAnswer(chunkLine('c0', [0, 1]), chunkLine('c1', [1, 2])));
    const error = await failure();
    expectContractBreak(error, "a chunk's first row repeats the row before it");
    expect(handed.map((chunk) => chunk.cursor)).toEqual(['c0']);
  });

  it('a chunk of no rows is refused: it cannot be progress', async () => {
    server.answerNext(cutAnswer(chunkLine('c0', [0]), chunkLine('c1', [])));
    const error = await failure();
    expectContractBreak(error, 'a chunk has no rows');
    expect(handed.map((chunk) => chunk.cursor)).toEqual(['c0']);
  });

  it(`a chunk of more than ${EXPORT_CHUNK_MAX_ROWS} rows is refused; one of exactly ${EXPORT_CHUNK_MAX_ROWS} is read`, async () => {
    const rows = (from: number, count: number) => Array.from({ length: count }, (_, n) => from + n);
    server.answerNext({
      status: 200,
      type: NDJSON,
      body: `${HEAD}${chunkLine('c0', rows(0, EXPORT_CHUNK_MAX_ROWS))}${chunkLine('c1', rows(EXPORT_CHUNK_MAX_ROWS, EXPORT_CHUNK_MAX_ROWS + 1))}{"end":true,"count":${2 * EXPORT_CHUNK_MAX_ROWS + 1}}\n`,
    });
    const error = await failure();
    expectContractBreak(
      error,
      `a chunk has ${EXPORT_CHUNK_MAX_ROWS + 1} rows, more than ${EXPORT_CHUNK_MAX_ROWS}`,
    );
    expect(handed.map((chunk) => chunk.events.length)).toEqual([EXPORT_CHUNK_MAX_ROWS]);
  });

  it('an export resumed from a cursor the caller holds still refuses a chunk that repeats that cursor', async () => {
    server.answerNext(cutAnswer(chunkLine('c4', [9])));
    const error = await failure({ cursor: 'c4' });
    expectContractBreak(error, "a chunk's cursor is the one it was asked to resume after");
    expect(handed).toEqual([]);
  });
});
