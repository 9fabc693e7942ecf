import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient } from '../../src/client/client.js';
import { exportRange } from '../../src/export/export-range.js';
import {
  cliEnv,
  closedPort,
  expectOneErrorLine,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { readCsvRecords, runPrintedCommand, sampleEvents } from '../helpers/export-fixtures.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOTAL = 2500;
const RANGE = ['--utc', '--from', '2023-01-01', '--to', '2023-03-31'];
const STREAM = /\/audit-logs\/export\?/;
const FIRST_STREAM = /\/audit-logs\/export\?(?!.*cursor=)/;
const RESUME = /\/audit-logs\/export\?.*cursor=/;
const LIST = /\/audit-logs\?/;
const RESUME_LINE =
  /^audit: Interrupted after 1,000 events \((.+)\); (.+) was not written\. Resume with: (audit export .+ --cursor \S+)\n$/;

// Each case runs two exports of 2,500 events (stream and paging): give them room on a loaded machine.
describe('audit export through the stream', { timeout: 90_000 }, () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  const out = tempDir('export-stream');
  let server: SpawnedServer;
  let token: string;
  // Passes everything on, and records it: the stream was used.
  let streaming: FaultProxy;
  // Answers 404 to the export route, as a server without it: the export pages.
  let paging: FaultProxy;
  const via = (proxy: FaultProxy | string) => ({
    ...env,
    AUDIT_SERVER: typeof proxy === 'string' ? proxy : proxy.url,
    AUDIT_TOKEN: token,
  });
  const exportVia = (proxy: FaultProxy | string, args: string[]) =>
    runCli(['export', ...RANGE, ...args], { env: via(proxy) });
  /** Every file of `dir`, name and bytes. */
  const filesOf = (dir: string) =>
    Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
  /**
   * Files as their sizes and SHA-256, to compare: toEqual walks a Buffer byte by byte (30 s of
   * CPU for this file's megabytes), and a digest differs wherever one byte does.
   */
  const digestsOf = (files: Record<string, Buffer>) =>
    Object.fromEntries(
      Object.entries(files).map(([name, bytes]) => [
        name,
        `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`,
      ]),
    );
  const straight = async (name: string, args: string[]) => {
    const dir = mkdtempSync(join(out, 'straight-'));
    const result = await exportVia(server.url, [...args, '-o', join(dir, name)]);
    expect(result.code, result.stderr).toBe(0);
    return readFileSync(join(dir, name));
  };

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '100000'], {
      ...env,
      AUDIT_CHECKPOINT_INTERVAL_MS: '50',
    });
    token = server.token as string;
    await ingestEvents(
      server.url,
      token,
      sampleEvents(TOTAL, '2023-01-01T00:00:00Z', '2023-04-01T00:00:00Z'),
    );
    await ingestEvents(server.url, token, [
      { action: 'user.login', timestamp: '2022-12-31T23:59:59.999Z' },
      { action: 'user.login', timestamp: '2023-04-01T00:00:00.000Z' },
    ]);
    streaming = await startFaultProxy(server.url);
    paging = await startFaultProxy(server.url);
    paging.failNext(1_000_000, { status: 404, pathPattern: STREAM, detail: 'no such route' });
  });
  afterAll(async () => {
    await streaming?.close();
    await paging?.close();
    await server?.stop();
  });

  it.each([
    ['csv', ['--format', 'csv'], 'all.csv'],
    ['json', ['--format', 'json'], 'all.json'],
    ['ndjson', ['--format', 'ndjson'], 'all.ndjson'],
    ['csv --columns', ['--columns', 'id,time,actor_email,action,metadata'], 'columns.csv'],
    ['gzipped csv', ['--gzip'], 'all.csv'],
    ['ndjson --split month in another zone', ['--split', 'month', '--tz', 'America/New_York'], 'q1.ndjson'],
    ['json --split day', ['--split', 'day'], 'days.json'],
    [
      'ndjson filtered by --search and --category',
      ['--search', 'alice', '--category', 'auth'],
      'found.ndjson',
    ],
  ])('writes the same bytes through the stream as through paging: %s', async (_what, args, name) => {
    const streamed = mkdtempSync(join(out, 'streamed-'));
    const paged = mkdtempSync(join(out, 'paged-'));
    streaming.reset();
    paging.reset();
    const byStream = await exportVia(streaming, [...args, '-o', join(streamed, name)]);
    const byPages = await exportVia(paging, [...args, '-o', join(paged, name)]);
    expect(byStream.code, byStream.stderr).toBe(0);
    expect(byPages.code, byPages.stderr).toBe(0);
    expect(streaming.requests.filter((request) => STREAM.test(request.url))).toHaveLength(1);
    expect(streaming.requests.filter((request) => LIST.test(request.url))).toEqual([]);
    expect(paging.requests.filter((request) => LIST.test(request.url)).length).toBeGreaterThan(0);
    const files = filesOf(streamed);
    expect(Object.keys(files).length).toBeGreaterThan(0);
    for (const bytes of Object.values(files)) expect(bytes.length).toBeGreaterThan(100);
    expect(digestsOf(files)).toEqual(digestsOf(filesOf(paged)));
  });

  it('draws the same PDF from the stream as from paging', async () => {
    // One clock for both: the report says when it was made, and that must not differ.
    const startedAt = Date.now();
    const now = () => startedAt;
    const pdfVia = async (proxy: FaultProxy, name: string) => {
      const client = new AuditClient({ server: proxy.url, org: 'default', token, attempts: 8 });
      const output = join(out, name);
      try {
        const params = { from: '2023-01-01T00:00:00.000Z', to: '2023-03-31T23:59:59.999Z' };
        const result = await exportRange({
          client,
          params,
          format: 'pdf',
          output,
          gzip: false,
          zone: 'UTC',
          now,
        });
        expect(result.count).toBe(TOTAL);
      } finally {
        await client.close();
      }
      return readFileSync(output);
    };
    const streamed = await pdfVia(streaming, 'streamed.pdf');
    expect(streamed.subarray(0, 5).toString()).toBe('%PDF-');
    expect(streamed.equals(await pdfVia(paging, 'paged.pdf'))).toBe(true);
  });

  it('a server that cuts the stream mid-row: the export resumes by itself and is byte-identical', async () => {
    const proxy = await startFaultProxy(server.url);
    try {
      proxy.cutNext(1, { pathPattern: FIRST_STREAM, afterLines: 2, extraBytes: 500 });
      const file = join(out, 'cut.csv');
      const result = await exportVia(proxy, ['-o', file]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^Exported 2,500 events \(3 pages, 1 retries\) to /);
      expect(proxy.requests.map((request) => request.outcome)).toContain('cut');
      expect(readFileSync(file).equals(await straight('cut.csv', []))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it.each([
    ['ndjson', 'given-up.ndjson'],
    ['csv', 'given-up.csv'],
    ['json', 'given-up.json'],
  ])(
    'a server that cuts the stream mid-row until retries run out leaves no partial row in %s, and its cursor resumes to a byte-identical file',
    async (format, name) => {
      const proxy = await startFaultProxy(server.url);
      const file = join(out, name);
      try {
        // The first answer gets one chunk and part of the next row through; of the seven resumes
        // (eight attempts in all), six are refused at once and the last is cut mid-row again.
        proxy.cutNext(1, { pathPattern: FIRST_STREAM, afterLines: 2, extraBytes: 500 });
        proxy.failNext(6, { status: 503, retryAfter: '0', pathPattern: RESUME });
        proxy.cutNext(1, { pathPattern: RESUME, afterLines: 1, extraBytes: 300 });
        const stopped = await exportVia(proxy, ['--format', format, '-o', file]);
        expect(stopped.code).toBe(1);
        const [, cause, named, resume] = RESUME_LINE.exec(stopped.stderr) ?? [];
        expect(cause).toMatch(
          /^cannot reach http:\/\/127\.0\.0\.1:\d+: (connection closed unexpectedly|the export stream stopped before its end line)$/,
        );
        expect(named).toBe(file);
        expect(proxy.requests.map((request) => request.outcome)).toEqual([
          'cut',
          ...Array(6).fill('failed'),
          'cut',
        ]);
        expect(existsSync(file)).toBe(false);
        const partial = readFileSync(`${file}.partial`, 'utf8');
        // Exactly the first chunk's rows, each whole: the cut row is nowhere in the file.
        if (format === 'ndjson') {
          const lines = partial.split('\n');
          expect(lines.pop()).toBe('');
          expect(lines.map((line) => JSON.parse(line).id)).toHaveLength(1000);
        } else if (format === 'csv') {
          expect(partial.endsWith('\n')).toBe(true);
          expect(readCsvRecords(partial)).toHaveLength(1000);
        } else {
          // An array left open for the resume to go on: closed here, it holds 1,000 whole events.
          expect(JSON.parse(`${partial}\n]`)).toHaveLength(1000);
        }
        const resumed = await runPrintedCommand(resume as string, via(server.url));
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stderr).toMatch(/^Exported 2,500 events \(2 pages\) to /);
        expect(readFileSync(file).equals(await straight(name, ['--format', format]))).toBe(true);
      } finally {
        await proxy.close();
      }
    },
  );

  it('a server without the export route is paged, said once on stderr only with --debug', async () => {
    const quiet = await exportVia(paging, ['-o', join(out, 'quiet.csv')]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toMatch(/^Exported 2,500 events \(3 pages\) to \S+ in \d+\.\d s\n$/);
    const traced = await exportVia(paging, ['--debug', '-o', join(out, 'traced.csv')]);
    expect(traced.code).toBe(0);
    expect(traced.stderr.split('\n').filter((line) => line.includes('no export stream'))).toEqual([
      '[debug] the server has no export stream (404); paging through /api/v1/organizations/default/audit-logs instead',
    ]);
  });

  it('a proxy that answers the export with a 200 HTML page: one line naming the server, exit 1, no file', async () => {
    const proxy = await startFaultProxy(server.url);
    try {
      const page = { contentType: 'text/html; charset=utf-8', text: '<html><body>Sign in</body></html>' };
      proxy.failNext(1, { status: 200, pathPattern: STREAM, body: page });
      const file = join(out, 'html.csv');
      const result = await exportVia(proxy, ['-o', file]);
      expect(result.code).toBe(1);
      expectOneErrorLine(result);
      expect(result.stderr).toBe(
        `audit: the answer of ${proxy.url} to GET /api/v1/organizations/default/audit-logs/export is not an export stream (200, text/html; charset=utf-8); is ${proxy.url} an audit server?\n`,
      );
      expect(readdirSync(out).filter((entry) => entry.startsWith('html.csv'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('--proof: the streamed export is pinned by tree size and verifies offline with audit verify FILE', async () => {
    const file = join(out, 'proved.ndjson');
    streaming.reset();
    const result = await exportVia(streaming, ['--proof', '-o', file]);
    expect(result.code, result.stderr).toBe(0);
    const streamed = streaming.requests.filter((request) => STREAM.test(request.url));
    expect(streamed).toHaveLength(1);
    expect(streamed[0]?.url).toMatch(/[?&]tree_size=\d+/);
    expect(streamed[0]?.url).not.toMatch(/received_before=/);
    const tree = (await (
      await fetch(`${server.url}/api/v1/organizations/default/audit-logs/tree`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { data: { key: { verifier_key: string } } };
    const keyFile = join(out, 'server.key');
    writeFileSync(keyFile, `${tree.data.key.verifier_key}\n`);
    // Nothing to reach: the check is offline.
    const offline = cliEnv(join(home.dir, 'offline-config'), {
      AUDIT_SERVER: `http://127.0.0.1:${await closedPort()}`,
    });
    const verified = await runCli(['verify', file, '--key', keyFile], { env: offline });
    expect(verified.code, `${verified.stdout}${verified.stderr}`).toBe(0);
  });

  it('audit backup run streams, and writes the files paging writes', async () => {
    const backupVia = async (proxy: FaultProxy) => {
      const dir = mkdtempSync(join(out, 'backup-'));
      const result = await runCli(['backup', 'run', '--utc', '--date', '2023-02-14', '--dir', dir], {
        env: via(proxy),
      });
      expect(result, result.stderr).toEqual({ code: 0, stdout: '', stderr: '' });
      return filesOf(dir);
    };
    streaming.reset();
    const streamed = await backupVia(streaming);
    expect(streaming.requests.filter((request) => STREAM.test(request.url))).toHaveLength(1);
    const paged = await backupVia(paging);
    const data = 'audit-logs-2023-02-14.json';
    expect(Object.keys(streamed).sort()).toEqual([data, `${data}.proof.json`, `${data}.sha256`]);
    const dataAndChecksum = (files: Record<string, Buffer>) =>
      digestsOf(Object.fromEntries([data, `${data}.sha256`].map((name) => [name, files[name] as Buffer])));
    expect(dataAndChecksum(streamed)).toEqual(dataAndChecksum(paged));
    expect(JSON.parse(String(streamed[data])).length).toBeGreaterThan(10);
  });
});
