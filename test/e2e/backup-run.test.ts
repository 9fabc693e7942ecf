import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';
import { readCsvRecords, readEvents, sampleEvents, startCli, waitFor } from '../helpers/export-fixtures.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = '2023-05-10';
const NAME = `audit-logs-${DAY}.json`;
const DAY_QUERY = `from=${DAY}T00:00:00.000Z&to=${DAY}T23:59:59.999Z&detailed=true&order=asc`;

describe('audit backup run', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir, { AUDIT_DATA_DIR: join(home.dir, 'data') });
  let server: SpawnedServer;
  let token: string;
  let expected: AuditEvent[];
  // The CLI talks to the server through a proxy that holds every answer to /openapi.json
  // (the fault-injection test goes through the fault proxy instead).
  let contract: ContractProxy;
  const via = () => ({ ...env, AUDIT_SERVER: contract.url, AUDIT_TOKEN: token });

  const newDir = () => tempDir('backup');
  const backup = (dir: string, args: string[] = [], extraEnv: Record<string, string> = {}) =>
    runCli(['backup', 'run', '--utc', '--date', DAY, '--dir', dir, ...args], {
      env: { ...via(), ...extraEnv },
    });
  const exportedCount = async () => (await fetchAllEvents(server.url, token, 'action=audit.exported')).length;
  const checksumOk = (dir: string, name: string) => {
    const line = readFileSync(join(dir, `${name}.sha256`), 'utf8');
    expect(line).toMatch(new RegExp(`^[0-9a-f]{64}  ${name.replace(/\./g, '\\.')}\\n$`));
    const sha256sum = spawnSync('sha256sum', ['-c', `${name}.sha256`], { cwd: dir, encoding: 'utf8' });
    if (sha256sum.error) {
      const hex = createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex');
      return line.startsWith(`${hex}  `);
    }
    return sha256sum.status === 0;
  };

  beforeAll(async () => {
    // Checkpoints every 50 ms: a backup waits for one that covers the day it writes.
    server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '100000'], {
      ...env,
      AUDIT_CHECKPOINT_INTERVAL_MS: '50',
    });
    token = server.token as string;
    await ingestEvents(server.url, token, [
      ...sampleEvents(1200, `${DAY}T00:00:00Z`, `${DAY}T23:59:59Z`),
      { action: 'access.page_viewed', timestamp: `${DAY}T12:00:00.000Z` },
      { action: 'user.login', timestamp: '2023-05-09T23:59:59.999Z' },
      { action: 'user.login', timestamp: '2023-05-11T00:00:00.000Z' },
    ]);
    expected = await fetchAllEvents<AuditEvent>(server.url, token, DAY_QUERY);
    contract = await startContractProxy(server.url);
  });
  afterAll(async () => {
    await contract?.close();
    await server?.stop();
  });

  it('writes the whole day and a sha256sum checksum, mode 0600, and says nothing off a terminal', async () => {
    const dir = newDir();
    const before = await exportedCount();
    const result = await backup(dir);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(dir).sort()).toEqual([NAME, `${NAME}.proof.json`, `${NAME}.sha256`]);
    expect(expected).toHaveLength(1201);
    expect(readEvents(join(dir, NAME))).toEqual(expected);
    for (const file of [NAME, `${NAME}.sha256`, `${NAME}.proof.json`])
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    expect(checksumOk(dir, NAME)).toBe(true);
    const records = await fetchAllEvents<AuditEvent>(server.url, token, 'action=audit.exported');
    expect(records).toHaveLength(before + 1);
    expect(records[0]?.metadata).toMatchObject({ kind: 'backup', format: 'json', count: 1201, files: 1 });
  });

  it('a second run for the same day does nothing and exits 0', async () => {
    const dir = newDir();
    expect((await backup(dir)).code).toBe(0);
    const first = statSync(join(dir, NAME));
    const checksum = readFileSync(join(dir, `${NAME}.sha256`), 'utf8');
    const before = await exportedCount();
    expect(await backup(dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    const second = statSync(join(dir, NAME));
    expect([second.ino, second.mtimeMs, second.size]).toEqual([first.ino, first.mtimeMs, first.size]);
    expect(readFileSync(join(dir, `${NAME}.sha256`), 'utf8')).toBe(checksum);
    expect(await exportedCount()).toBe(before);
  });

  it('redoes a backup whose file no longer matches its checksum', async () => {
    const dir = newDir();
    expect((await backup(dir)).code).toBe(0);
    appendFileSync(join(dir, NAME), 'tampered');
    expect(checksumOk(dir, NAME)).toBe(false);
    expect((await backup(dir)).code).toBe(0);
    expect(checksumOk(dir, NAME)).toBe(true);
    expect(readEvents(join(dir, NAME))).toEqual(expected);
  });

  it('writes csv and ndjson too', async () => {
    const dir = newDir();
    expect((await backup(dir, ['--format', 'csv'])).code).toBe(0);
    expect((await backup(dir, ['--format', 'ndjson'])).code).toBe(0);
    const ids = expected.map((event) => event.id);
    const csv = readCsvRecords(readFileSync(join(dir, `audit-logs-${DAY}.csv`), 'utf8'));
    expect(csv.map((record) => record.id)).toEqual(ids);
    expect(readEvents(join(dir, `audit-logs-${DAY}.ndjson`)).map((event) => event.id)).toEqual(ids);
    expect(checksumOk(dir, `audit-logs-${DAY}.csv`) && checksumOk(dir, `audit-logs-${DAY}.ndjson`)).toBe(
      true,
    );
  });

  it('--keep N removes backups dated more than N days before the backed-up day', async () => {
    const dir = newDir();
    const old = ['audit-logs-2023-05-01.json', 'audit-logs-2023-05-02.csv', 'audit-logs-2023-05-03.ndjson'];
    for (const name of [...old, 'notes.txt']) writeFileSync(join(dir, name), 'x');
    for (const name of old) writeFileSync(join(dir, `${name}.sha256`), 'x');
    writeFileSync(join(dir, `${old[0]}.proof.json`), 'x');
    expect((await backup(dir, ['--keep', '7'])).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      'audit-logs-2023-05-03.ndjson',
      'audit-logs-2023-05-03.ndjson.sha256',
      NAME,
      `${NAME}.proof.json`,
      `${NAME}.sha256`,
      'notes.txt',
    ]);
  });

  it('a revoked token fails with exit 4 and exactly one line on stderr', async () => {
    const dbArgs = ['--db', home.dbFile];
    const created = await runCli(['server', 'token', 'create', '--user', 'root@localhost', ...dbArgs], {
      env,
    });
    const revoked = created.stdout.trim();
    expect((await runCli(['server', 'token', 'revoke', revoked.slice(0, 12), ...dbArgs], { env })).code).toBe(
      0,
    );
    const dir = newDir();
    const result = await backup(dir, [], { AUDIT_TOKEN: revoked });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      expect.stringMatching(/backup of 2023-05-10 failed: 401/),
      '',
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to run while another run holds the lock, and takes over a stale one', async () => {
    const dir = newDir();
    writeFileSync(join(dir, '.audit-backup.lock'), `${process.pid}\n`);
    const locked = await backup(dir);
    expect(locked.code).toBe(1);
    expect(locked.stderr.split('\n')).toEqual([expect.stringMatching(/another backup is running .*pid/), '']);
    expect(existsSync(join(dir, NAME))).toBe(false);

    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    writeFileSync(join(dir, '.audit-backup.lock'), `${gone.pid}\n`);
    expect((await backup(dir)).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([NAME, `${NAME}.proof.json`, `${NAME}.sha256`]);
  });

  it('of two overlapping runs, the second fails at once and the first (retrying) completes', async () => {
    const dir = newDir();
    const proxy = await startFaultProxy(server.url);
    // The first run waits out two 503s (of its 8 attempts) while holding the lock.
    proxy.failNext(2, { status: 503, retryAfter: '1', pathPattern: /\/audit-logs\?/ });
    const args = ['backup', 'run', '--utc', '--date', DAY, '--dir', dir];
    const first = startCli(args, { ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token });
    await waitFor(() => proxy.requests.length > 0);
    const second = await runCli(args, { env });
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(await first.done).toEqual({ code: 0, stdout: '', stderr: '' });
    await proxy.close();
    expect(checksumOk(dir, NAME)).toBe(true);
    expect(existsSync(join(dir, '.audit-backup.lock'))).toBe(false);
  });

  it('a backup directory that cannot be made fails at once: one line naming it, exit 2 (under /proc, under a file)', async () => {
    const file = join(newDir(), 'a-file');
    writeFileSync(file, 'x');
    const places = [...(existsSync('/proc/self') ? ['/proc/audit-backups/x'] : []), join(file, 'backups')];
    for (const dir of places) {
      const started = Date.now();
      // Killed after 15 s: recursive mkdir under /proc used to spin forever.
      const result = await runCli(['backup', 'run', '--utc', '--date', DAY, '--dir', dir], {
        env: via(),
        killAfterMs: 15_000,
      });
      expect({ dir, code: result.code }).toEqual({ dir, code: 2 });
      expect(result.stderr.split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^audit: cannot use ${dir.replace(/[/.]/g, '\\$&')} as the backup directory: `),
        ),
        '',
      ]);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  for (const [signal, code, who] of [
    ['SIGTERM', 143, 'as cron, systemd and Kubernetes stop a job'],
    ['SIGINT', 130, 'Ctrl-C'],
  ] as const) {
    it(`${signal} mid-backup (${who}) ends it at once: exit ${code}, one line, no partial file, no lock`, async () => {
      const dir = newDir();
      const proxy = await startFaultProxy(server.url);
      // The stream stalls after its first chunk: that chunk is in DIR/….partial when the signal comes.
      const held = proxy.stallNext(1, { pathPattern: /\/audit-logs\/export\?/, afterLines: 2 });
      const running = startCli(['backup', 'run', '--utc', '--date', DAY, '--dir', dir], {
        ...env,
        AUDIT_SERVER: proxy.url,
        AUDIT_TOKEN: token,
      });
      await held.arrived;
      await waitFor(() => readdirSync(dir).some((name) => name.endsWith('.partial')));
      const sent = Date.now();
      running.child.kill(signal);
      const result = await running.done;
      const took = Date.now() - sent;
      await proxy.close();
      expect(result.code).toBe(code);
      expect(result.stderr.split('\n')).toEqual([
        expect.stringMatching(/^audit: backup of 2023-05-10 interrupted .*; nothing was written$/),
        '',
      ]);
      expect(readdirSync(dir)).toEqual([]);
      expect(took).toBeLessThan(3_000);
    });
  }

  it('defaults to yesterday into <data dir>/backups', async () => {
    const result = await runCli(['backup', 'run', '--utc'], { env: via() });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const dir = join(home.dir, 'data', 'backups');
    expect(readdirSync(dir).sort()).toEqual([
      `audit-logs-${yesterday}.json`,
      `audit-logs-${yesterday}.json.proof.json`,
      `audit-logs-${yesterday}.json.sha256`,
    ]);
  });

  it('rejects a date that is not a day (exit 2)', async () => {
    const result = await runCli(['backup', 'run', '--date', '2023-02-30', '--dir', newDir()], { env: via() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--date/);
  });

  it("answers the CLI only as the server's /openapi.json says (status, media type, headers, body)", () => {
    expect(contract.checked()).toBeGreaterThan(10);
    expect(contract.violations).toEqual([]);
  });
});
