import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import {
  cliEnv,
  fetchAllEvents,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import {
  readEvents,
  readExportText,
  runPrintedCommand,
  sampleEvents,
  startCli,
  waitFor,
} from '../helpers/export-fixtures.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const RANGE = ['--utc', '--from', '2023-01-01', '--to', '2023-03-31'];
const RANGE_QUERY = 'from=2023-01-01T00:00:00.000Z&to=2023-03-31T23:59:59.999Z&order=asc';
const STREAM = /\/audit-logs\/export\?/;
// The requests that resume the stream after its first chunk.
const AFTER_FIRST_PAGE = /\/audit-logs\/export\?.*cursor=/;
const RESUME_LINE =
  /^audit: Interrupted after 1,000 events(?: \((.+)\))?; (.+) was not written\. Resume with: (audit export .+ --cursor \S+)\n$/;

describe('an interrupted audit export', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  const out = tempDir('export-stop');
  let server: SpawnedServer;
  let token: string;
  let expected: AuditEvent[];

  const straight = async (name: string, args: string[]) => {
    const file = join(out, `straight-${name}`);
    const result = await runCli(['export', ...RANGE, ...args, '-o', file], { env });
    expect(result.code).toBe(0);
    return file;
  };
  const exportedRecords = () => fetchAllEvents<AuditEvent>(server.url, token, 'action=audit.exported');

  /**
   * An export through a proxy that cuts the stream after its first chunk and answers every
   * resume slowly with 503: mid-export, the first 1,000 events written, for as long as the test likes.
   */
  const startSlowExport = async (args: string[]) => {
    const proxy = await startFaultProxy(server.url);
    proxy.cutNext(1, { pathPattern: STREAM, afterLines: 2 });
    proxy.failNext(1000, { status: 503, retryAfter: '1', pathPattern: AFTER_FIRST_PAGE });
    const cli = startCli(['export', ...RANGE, ...args], {
      ...env,
      AUDIT_SERVER: proxy.url,
      AUDIT_TOKEN: token,
    });
    await waitFor(() => proxy.requests.some((request) => request.outcome === 'failed'));
    return { proxy, cli };
  };
  /** A proxy whose stream is cut after its first chunk and whose every resume fails: retries run out. */
  const givingUpProxy = async () => {
    const proxy = await startFaultProxy(server.url);
    proxy.cutNext(1, { pathPattern: STREAM, afterLines: 2 });
    // Eight attempts: the cut one and seven resumes, all of which fail.
    proxy.failNext(7, { status: 503, retryAfter: '0', pathPattern: AFTER_FIRST_PAGE });
    return proxy;
  };

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '100000'], env);
    token = server.token as string;
    await ingestEvents(server.url, token, sampleEvents(3500, '2023-01-01T00:00:00Z', '2023-04-01T00:00:00Z'));
    expected = await fetchAllEvents<AuditEvent>(server.url, token, RANGE_QUERY);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('Ctrl-C leaves no final file, says how to resume, and the resume equals a straight export', async () => {
    const file = join(out, 'sigint.json');
    const { proxy, cli } = await startSlowExport(['--format', 'json', '-o', file]);
    cli.child.kill('SIGINT');
    const stopped = await cli.done;
    await proxy.close();
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toBe('');
    const [, cause, named, resume] = RESUME_LINE.exec(stopped.stderr) ?? [];
    expect(cause).toBeUndefined();
    expect(named).toBe(file);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.partial`)).toBe(true);

    const before = (await exportedRecords()).length;
    const resumed = await runPrintedCommand(resume as string, env);
    expect(resumed.stderr).toMatch(/^Exported 3,500 events \(3 pages\) to /);
    expect(resumed.code).toBe(0);
    expect(existsSync(`${file}.partial`)).toBe(false);
    // The interrupted part recorded nothing; the whole export is recorded once, with its full count.
    const records = await exportedRecords();
    expect(records).toHaveLength(before + 1);
    expect(records[0]?.metadata).toMatchObject({ kind: 'export', format: 'json', count: 3500 });
    // Byte for byte: the array continues where the partial stopped.
    expect(readFileSync(file, 'utf8')).toBe(
      readFileSync(await straight('sigint.json', ['--format', 'json']), 'utf8'),
    );
    expect(readEvents(file)).toEqual(expected);
  });

  it('Ctrl-C while the finished export is being recorded exits 130 (interrupted), not 1 as if the server had failed', async () => {
    const proxy = await startFaultProxy(server.url);
    const held = proxy.holdNext(1, { pathPattern: /\/exports$/ });
    const file = join(out, 'sigint-recording.json');
    const cli = startCli(['export', ...RANGE, '--format', 'json', '-o', file], {
      ...env,
      AUDIT_SERVER: proxy.url,
      AUDIT_TOKEN: token,
    });
    try {
      await held.arrived;
      cli.child.kill('SIGINT');
      const stopped = await cli.done;
      expect(stopped.code).toBe(130);
      expect(stopped.stderr.trim().split('\n')).toHaveLength(1);
      expect(stopped.stderr).toMatch(/^audit: .*interrupted/);
      // The file was complete before the record was asked for: it stays.
      expect(readEvents(file)).toEqual(expected);
    } finally {
      void held.release().catch(() => undefined);
      await proxy.close();
    }
  });

  it('a network that gives up exits 1 with the reason and a resume line (gzip appends a member)', async () => {
    const proxy = await givingUpProxy();
    const file = join(out, 'gaveup.csv.gz');
    const stopped = await runCli(['export', ...RANGE, '-o', file], {
      env: { ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token },
    });
    await proxy.close();
    expect(stopped.code).toBe(1);
    const [, cause, named, resume] = RESUME_LINE.exec(stopped.stderr) ?? [];
    expect(cause).toMatch(/^503 /);
    expect(named).toBe(file);
    expect(existsSync(file)).toBe(false);
    expect(proxy.requests.filter((request) => request.outcome === 'failed')).toHaveLength(7);

    const resumed = await runPrintedCommand(resume as string, env);
    expect(resumed.code).toBe(0);
    expect(readExportText(file)).toBe(readExportText(await straight('gaveup.csv', ['--format', 'csv'])));
  });

  it('a CSV export with --columns resumes with the same columns: the printed line carries them, one header, the rows go on', async () => {
    const proxy = await givingUpProxy();
    const file = join(out, 'columns.csv');
    const columns = ['--columns', 'id,time,actor_email,action'];
    const stopped = await runCli(['export', ...RANGE, ...columns, '-o', file], {
      env: { ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token },
    });
    await proxy.close();
    expect(stopped.code).toBe(1);
    const [, , , resume] = RESUME_LINE.exec(stopped.stderr) ?? [];
    expect(resume).toContain('--columns id,timestamp,actor_email,action');
    // Resuming without them would append rows of every column under this header: refused.
    const withoutColumns = await runPrintedCommand(
      (resume as string).replace(' --columns id,timestamp,actor_email,action', ''),
      env,
    );
    expect(withoutColumns.code).toBe(2);
    expect(withoutColumns.stderr).toContain('resume it with the same --columns');

    const resumed = await runPrintedCommand(resume as string, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const text = readExportText(file);
    expect(text.split('\n').filter((line) => line.startsWith('id,'))).toEqual([
      'id,timestamp,actor_email,action',
    ]);
    expect(text).toBe(readExportText(await straight('columns.csv', columns)));
  });

  it('a resume does not append through a link swapped in for the NAME.partial it left', async () => {
    const proxy = await givingUpProxy();
    const file = join(out, 'swapped.csv');
    const stopped = await runCli(['export', ...RANGE, '-o', file], {
      env: { ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token },
    });
    await proxy.close();
    const [, , , resume] = RESUME_LINE.exec(stopped.stderr) ?? [];
    const victim = join(mkdtempSync(join(out, 'victim-')), 'victim.txt');
    writeFileSync(victim, 'not an export\n', { mode: 0o644 });
    unlinkSync(`${file}.partial`);
    symlinkSync(victim, `${file}.partial`);

    const resumed = await runPrintedCommand(resume as string, env);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(
      /^audit: refusing to write .*swapped\.csv\.partial: it is a symbolic link; remove it and run again\n$/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('not an export\n');
    expect(statSync(victim).mode & 0o777).toBe(0o644);
  });

  it('with --split, the month in hand stays partial and the resume completes every month', async () => {
    const dir = mkdtempSync(join(out, 'split-'));
    const { proxy, cli } = await startSlowExport([
      '--split',
      'month',
      '--format',
      'ndjson',
      '-o',
      join(dir, 'q1.ndjson'),
    ]);
    cli.child.kill('SIGINT');
    const stopped = await cli.done;
    await proxy.close();
    expect(stopped.code).toBe(130);
    expect(readdirSync(dir)).toEqual(['q1-2023-01.ndjson.partial']);
    const [, , , resume] = RESUME_LINE.exec(stopped.stderr) ?? [];
    const resumed = await runPrintedCommand(resume as string, env);
    expect(resumed.code).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['q1-2023-01.ndjson', 'q1-2023-02.ndjson', 'q1-2023-03.ndjson']);
    expect(files.flatMap((name) => readEvents(join(dir, name)))).toEqual(expected);
  });

  it('SIGKILL mid-export leaves no file under the final name', async () => {
    const file = join(out, 'killed.ndjson');
    const { proxy, cli } = await startSlowExport(['--format', 'ndjson', '-o', file]);
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    await proxy.close();
    expect(killed.code).toBeNull();
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(out)).not.toContain('killed.ndjson');
  });
});
