import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient } from '../../src/client/client.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { exportRange } from '../../src/export/export-range.js';
import {
  cliEnv,
  fetchAllEvents,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';
import {
  expectedCsvRecord,
  readCsvRecords,
  readEvents,
  readExportText,
  sampleEvents,
  startCli,
} from '../helpers/export-fixtures.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOTAL = 3500;
const RANGE = ['--utc', '--from', '2023-01-01', '--to', '2023-03-31'];
const RANGE_QUERY = 'from=2023-01-01T00:00:00.000Z&to=2023-03-31T23:59:59.999Z&order=asc';
const SUMMARY = /^Exported 3,500 events \(4 pages(, (\d+) retries)?\) to (.+) in \d+\.\d s\n$/;

describe('audit export against a live server', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  const out = tempDir('export');
  let server: SpawnedServer;
  let token: string;
  let expected: AuditEvent[];
  let proxy: FaultProxy;
  // The CLI talks to the server through a proxy that holds every answer to /openapi.json
  // (the fault-injection test goes through the fault proxy instead).
  let contract: ContractProxy;
  const throughContract = () => ({ ...env, AUDIT_SERVER: contract.url, AUDIT_TOKEN: token });

  const exportCli = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCli(['export', ...RANGE, ...args], { env: { ...throughContract(), ...extraEnv } });
  const exportedCount = async () => (await fetchAllEvents(server.url, token, 'action=audit.exported')).length;

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '100000'], env);
    token = server.token as string;
    await ingestEvents(
      server.url,
      token,
      sampleEvents(TOTAL, '2023-01-01T00:00:00Z', '2023-04-01T00:00:00Z'),
    );
    // Just outside the range on either side.
    await ingestEvents(server.url, token, [
      { action: 'user.login', timestamp: '2022-12-31T23:59:59.999Z' },
      { action: 'user.login', timestamp: '2023-04-01T00:00:00.000Z' },
    ]);
    expected = await fetchAllEvents<AuditEvent>(server.url, token, RANGE_QUERY);
    proxy = await startFaultProxy(server.url);
    contract = await startContractProxy(server.url);
  });
  afterAll(async () => {
    await contract?.close();
    await proxy?.close();
    await server?.stop();
  });

  it('has the sample in range and nothing else', () => {
    expect(expected).toHaveLength(TOTAL);
  });

  it.each(['json', 'ndjson', 'json.gz', 'ndjson.gz'])('exports %s event for event', async (name) => {
    const file = join(out, `all.${name}`);
    const result = await exportCli(['-o', file]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(SUMMARY);
    expect(result.stderr).toContain(`to ${file} in`);
    expect(result.code).toBe(0);
    expect(readEvents(file)).toEqual(expected);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it.each(['csv', 'csv.gz'])('exports %s with the SPEC columns, formulas neutralized', async (name) => {
    const file = join(out, `all.${name}`);
    const result = await exportCli(['--format', 'csv', '-o', file]);
    expect(result.code).toBe(0);
    const text = readExportText(file);
    expect(text.split('\n')[0]).toBe(
      'id,timestamp,category,action,description,actor_id,actor_name,actor_email,actor_type,target_type,target_id,target_name,ip_address,user_agent,team_id,team_name,changes,metadata',
    );
    const records = readCsvRecords(text);
    expect(records).toEqual(expected.map(expectedCsvRecord));
    const evil = records.find((record) => record.actor_id === 'user_evil');
    expect(evil?.actor_name).toBe("'=cmd()");
    expect(evil?.actor_email).toBe("'@evil.example");
  });

  it('--gzip adds .gz to the name and compresses', async () => {
    const file = join(out, 'gzipped.ndjson');
    const result = await exportCli(['--gzip', '-o', file]);
    expect(result.code).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.gz`).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(readEvents(`${file}.gz`)).toEqual(expected);
  });

  it('is complete and exact through a cut stream and 429 (Retry-After 0 and 1) and 503 answers mid-export', async () => {
    const file = join(out, 'faults.json');
    const onResume = /\/audit-logs\/export\?.*cursor=/;
    proxy.reset();
    // The stream is cut after its first chunk; its resumes are answered with errors first.
    proxy.cutNext(1, { pathPattern: /\/audit-logs\/export\?/, afterLines: 2 });
    // Without Retry-After first, while the jittered backoff is short (at most 1 s).
    proxy.failNext(1, { status: 503, pathPattern: onResume });
    proxy.failNext(1, { status: 429, retryAfter: '1', pathPattern: onResume });
    proxy.failNext(2, { status: 503, retryAfter: '0', pathPattern: onResume });
    proxy.failNext(1, { status: 429, retryAfter: '0', pathPattern: onResume });
    const result = await exportCli(['-o', file], { AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(SUMMARY);
    // The cut and the five answers: six retries.
    expect(SUMMARY.exec(result.stderr)?.[2]).toBe('6');
    expect(proxy.requests.filter((request) => request.outcome === 'cut')).toHaveLength(1);
    expect(proxy.requests.filter((request) => request.outcome === 'failed')).toHaveLength(5);
    const ids = readEvents(file).map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected.map((event) => event.id));
  });

  it('--split month writes one file per month whose union is the range', async () => {
    const dir = mkdtempSync(join(out, 'split-'));
    const result = await exportCli(['--split', 'month', '--format', 'ndjson', '-o', join(dir, 'q1.ndjson')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/to 3 files \(.*q1-2023-01\.ndjson … .*q1-2023-03\.ndjson\)/);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['q1-2023-01.ndjson', 'q1-2023-02.ndjson', 'q1-2023-03.ndjson']);
    const union: AuditEvent[] = [];
    for (const [index, name] of files.entries()) {
      const events = readEvents(join(dir, name));
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) expect(event.timestamp.slice(0, 7)).toBe(`2023-0${index + 1}`);
      union.push(...events);
    }
    expect(union).toEqual(expected);
  });

  it('writes the default name in the current directory', async () => {
    const cwd = mkdtempSync(join(out, 'cwd-'));
    const result = await startCli(['export', ...RANGE, '--format', 'json'], throughContract(), cwd).done;
    expect(result.code).toBe(0);
    expect(readdirSync(cwd)).toEqual(['audit-logs-2023-01-01_2023-03-31.json']);
  });

  it('-o - streams to stdout with nothing else on it', async () => {
    const result = await exportCli(['--format', 'ndjson', '-o', '-']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/to standard output in/);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines.map((line) => JSON.parse(line))).toEqual(expected);
  });

  it('without --from and without a terminal is a usage error (exit 2)', async () => {
    const cwd = mkdtempSync(join(out, 'nofrom-'));
    const result = await startCli(['export', '--format', 'csv'], throughContract(), cwd).done;
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--from is required/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('records each export as exactly one audit.exported event with its count', async () => {
    const before = await exportedCount();
    const result = await exportCli(['--format', 'csv', '--category', 'auth', '-o', join(out, 'auth.csv')]);
    expect(result.code).toBe(0);
    const recorded = await fetchAllEvents<AuditEvent>(server.url, token, 'action=audit.exported');
    expect(recorded).toHaveLength(before + 1);
    const authCount = expected.filter((event) => event.category === 'auth').length;
    expect(recorded[0]?.metadata).toMatchObject({
      kind: 'export',
      format: 'csv',
      count: authCount,
      files: 1,
      filters: { category: 'auth', from: '2023-01-01T00:00:00.000Z', to: '2023-03-31T23:59:59.999Z' },
    });
  });
  // Last: it adds events to the range.
  it('leaves out events that arrive during the export and misses none', async () => {
    const file = join(out, 'during.ndjson');
    const client = new AuditClient({ server: server.url, org: 'default', token, attempts: 8 });
    let arrived = 0;
    try {
      const result = await exportRange({
        client,
        params: { from: '2023-01-01T00:00:00.000Z', to: '2023-03-31T23:59:59.999Z' },
        format: 'ndjson',
        output: file,
        gzip: false,
        zone: 'UTC',
        onProgress: async ({ pages }) => {
          if (pages !== 1) return;
          // Later in the range than the page just written: unpinned, they would be in the next pages.
          const late = sampleEvents(150, '2023-03-01T00:00:00Z', '2023-03-31T00:00:00Z');
          arrived = (await ingestEvents(server.url, token, late)).length;
        },
      });
      expect(result).toMatchObject({ count: TOTAL, pages: 4, files: [file] });
    } finally {
      await client.close();
    }
    expect(arrived).toBe(150);
    expect(await fetchAllEvents(server.url, token, RANGE_QUERY)).toHaveLength(TOTAL + 150);
    expect(readEvents(file)).toEqual(expected);
  });

  it("answers the CLI only as the server's /openapi.json says (status, media type, headers, body)", () => {
    expect(contract.checked()).toBeGreaterThan(10);
    expect(contract.violations).toEqual([]);
  });
});
