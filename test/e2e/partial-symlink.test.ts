import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliEnv,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { sampleEvents } from '../helpers/export-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = '2023-05-10';
const BACKUP_NAME = `audit-logs-${DAY}.json`;
const VICTIM_TEXT = 'precious data that is not an export\n';

/**
 * A link planted where the CLI writes (`NAME.partial`, a derived file name) by someone who can
 * write to that directory but not to the victim: the victim must keep its content and its mode.
 */
describe('a symbolic link planted where the CLI writes its output', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;

  const newDir = () => tempDir('symlink');
  const plantVictim = () => {
    const dir = join(newDir(), 'elsewhere');
    mkdirSync(dir);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, VICTIM_TEXT, { mode: 0o644 });
    return victim;
  };
  const expectUntouched = (victim: string) => {
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM_TEXT);
    expect(lstatSync(victim).mode & 0o777).toBe(0o644);
  };
  const expectOneLine = (stderr: string, pattern: RegExp) => {
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toMatch(pattern);
  };

  beforeAll(async () => {
    // Checkpoints every 50 ms: a backup waits for one that covers the day it writes.
    server = await startServerProcess(['--db', home.dbFile], { ...env, AUDIT_CHECKPOINT_INTERVAL_MS: '50' });
    env.AUDIT_SERVER = server.url;
    env.AUDIT_TOKEN = server.token as string;
    await ingestEvents(server.url, server.token as string, [
      ...sampleEvents(30, `${DAY}T00:00:00Z`, `${DAY}T23:59:59Z`),
      {
        action: 'user.login',
        timestamp: `${DAY}T12:00:00.000Z`,
        actor: { id: 'user_qv', email: 'qv@example.com', type: 'user' },
      },
    ]);
  });
  afterAll(() => server?.stop());

  const exportDay = (args: string[]) =>
    runCli(['export', '--utc', '--from', DAY, '--to', DAY, '--format', 'csv', ...args], { env });

  it('export does not write through a link planted at NAME.partial', async () => {
    const victim = plantVictim();
    const file = join(newDir(), 'day.csv');
    symlinkSync(victim, `${file}.partial`);
    const result = await exportDay(['-o', file]);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^audit: refusing to write .*day\.csv\.partial: it is a symbolic link/);
    expectUntouched(victim);
    expect(() => lstatSync(file)).toThrow();
  });

  it('backup run does not write through a link planted at the backup partial', async () => {
    const victim = plantVictim();
    const dir = newDir();
    symlinkSync(victim, join(dir, `${BACKUP_NAME}.partial`));
    const result = await runCli(['backup', 'run', '--utc', '--date', DAY, '--dir', dir], { env });
    expect(result.code).toBe(1);
    expectOneLine(
      result.stderr,
      new RegExp(
        `^audit: backup of ${DAY} failed: refusing to write .*\\.json\\.partial: it is a symbolic link`,
      ),
    );
    expectUntouched(victim);
  });

  it('backup run does not write through a link planted at the checksum partial', async () => {
    const victim = plantVictim();
    const dir = newDir();
    symlinkSync(victim, join(dir, `${BACKUP_NAME}.sha256.partial`));
    const result = await runCli(['backup', 'run', '--utc', '--date', DAY, '--dir', dir], { env });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /refusing to write .*\.json\.sha256\.partial: it is a symbolic link/);
    expectUntouched(victim);
  });

  it('backup run does not replace a link planted at the backup file name', async () => {
    const victim = plantVictim();
    const dir = newDir();
    symlinkSync(victim, join(dir, BACKUP_NAME));
    const result = await runCli(['backup', 'run', '--utc', '--date', DAY, '--dir', dir], { env });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /refusing to replace .*\.json: it is a symbolic link/);
    expectUntouched(victim);
    expect(readlinkSync(join(dir, BACKUP_NAME))).toBe(victim);
  });

  it('gdpr export does not write through a link planted at NAME.partial', async () => {
    const victim = plantVictim();
    const file = join(newDir(), 'sar.json');
    symlinkSync(victim, `${file}.partial`);
    const result = await runCli(['gdpr', 'export', '--user', 'qv@example.com', '-o', file], { env });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^audit: refusing to write .*sar\.json\.partial: it is a symbolic link/);
    expectUntouched(victim);
  });

  it('export --split does not replace a link planted at a period file it derived', async () => {
    const victim = plantVictim();
    const dir = newDir();
    symlinkSync(victim, join(dir, `day-${DAY.slice(0, 7)}.csv`));
    const result = await exportDay(['--split', 'month', '-o', join(dir, 'day.csv')]);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^audit: refusing to replace .*day-2023-05\.csv: it is a symbolic link/);
    expectUntouched(victim);
    expect(readlinkSync(join(dir, `day-${DAY.slice(0, 7)}.csv`))).toBe(victim);
  });

  it('export -o LINK, named by the user, replaces the link itself and leaves its target alone', async () => {
    const victim = plantVictim();
    const link = join(newDir(), 'latest.csv');
    symlinkSync(victim, link);
    const result = await exportDay(['-o', link]);
    expect(result.code).toBe(0);
    expect(lstatSync(link).isFile()).toBe(true);
    expect(lstatSync(link).mode & 0o777).toBe(0o600);
    expectUntouched(victim);
  });
});
