import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_ROW_FIELDS } from '../../src/domain/export-stream.js';
import { generateToken } from '../../src/domain/token.js';
import { cliEnv, expectOneErrorLine, runCli, tempHome } from '../helpers/cli.js';
import { startExportStreamServer, syntheticRow } from '../helpers/export-stream-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const HEAD = `${JSON.stringify({ columns: EXPORT_ROW_FIELDS, received_before: null })}\n`;

describe('audit export against a hostile export server', () => {
  const home = tempHome();
  const out = tempDir('export-hostile');
  let server: Awaited<ReturnType<typeof startExportStreamServer>>;

  beforeAll(async () => {
    server = await startExportStreamServer({ chunks: 3, rowsPerChunk: 2 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('a server that answers every resume with the same chunk and cuts: one line, exit 1, no file that grows', async () => {
    const sameChunk = `{"cursor":"SAME","rows":[${JSON.stringify(syntheticRow(0))}]}\n`;
    server.answerNext(
      ...Array.from({ length: 50 }, () => ({
        status: 200,
        type: 'application/x-ndjson',
        body: HEAD + sameChunk,
      })),
    );
    const file = join(out, 'out.csv');
    const result = await runCli(['export', '--utc', '--from', '2023-01-01', '-o', file], {
      env: { ...cliEnv(home.configDir), AUDIT_SERVER: server.url, AUDIT_TOKEN: generateToken() },
    });
    expect(result.code).toBe(1);
    expectOneErrorLine(result);
    expect(result.stderr).toBe(
      `audit: the answer of ${server.url} to GET /api/v1/organizations/default/audit-logs/export is not an export stream (200, application/x-ndjson): a chunk's cursor is the one it was asked to resume after; is ${server.url} an audit server?\n`,
    );
    // The first answer and the one resume that repeated it; never asked again.
    expect(server.requests.filter((url) => url.pathname.endsWith('/export'))).toHaveLength(2);
    expect(readdirSync(out).filter((name) => name.startsWith('out.csv'))).toEqual([]);
  });
});
