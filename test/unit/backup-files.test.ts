import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasValidChecksum } from '../../src/backup/backup-checksum.js';
import { describeLastBackup } from '../../src/backup/status.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const NAME = 'audit-logs-2024-01-31.json';
const CONTENT = '[\n{"id":"evt_1"}\n]\n';
const HEX = createHash('sha256').update(CONTENT).digest('hex');

/** A backup directory holding NAME and a `.sha256` written by `write`. */
function backupWith(write: (checksumPath: string, dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'audit-backup-files-'));
  dirs.push(dir);
  writeFileSync(join(dir, NAME), CONTENT);
  write(join(dir, `${NAME}.sha256`), dir);
  return join(dir, NAME);
}

/** What `audit backup status` reports for the checksum of the last backup in the file's directory. */
async function statusVerdict(file: string): Promise<string | undefined> {
  return (await describeLastBackup(dirname(file)))?.checksum;
}

const checksumFiles: [string, (path: string, dir: string) => void][] = [
  ['as backup run writes it', (path) => writeFileSync(path, `${HEX}  ${NAME}\n`)],
  ['in binary mode (*)', (path) => writeFileSync(path, `${HEX} *${NAME}\n`)],
  ['with upper-case hex', (path) => writeFileSync(path, `${HEX.toUpperCase()}  ${NAME}\n`)],
  ['naming the file by another path', (path) => writeFileSync(path, `${HEX}  ./other/${NAME}\n`)],
  ['naming another file', (path) => writeFileSync(path, `${HEX}  audit-logs-2024-01-30.json\n`)],
  ['with a second line', (path) => writeFileSync(path, `${HEX}  ${NAME}\n${HEX}  other.json\n`)],
  ['with a wrong digest', (path) => writeFileSync(path, `${'0'.repeat(64)}  ${NAME}\n`)],
  ['that is not sha256sum output', (path) => writeFileSync(path, 'hello\n')],
  ['that is empty', (path) => writeFileSync(path, '')],
  [
    'that is a symbolic link to a valid checksum elsewhere',
    (path, dir) => {
      const elsewhere = join(dir, 'planted.sha256');
      writeFileSync(elsewhere, `${HEX}  ${NAME}\n`);
      symlinkSync(elsewhere, path);
    },
  ],
];

describe('backup checksums: one rule for backup status and backup run', () => {
  it.each(checksumFiles)('a .sha256 %s gets the same verdict from status as from run', async (_, write) => {
    const file = backupWith(write);
    const acceptedByRun = await hasValidChecksum(file);
    const reportedByStatus = await statusVerdict(file);
    expect(reportedByStatus === 'ok').toBe(acceptedByRun);
  });

  it('a checksum file that run rejects and rewrites is never reported ok by status', async () => {
    const file = backupWith((path) => writeFileSync(path, `${HEX}  ./other/${NAME}\n`));
    expect(await hasValidChecksum(file)).toBe(false);
    expect(await statusVerdict(file)).not.toBe('ok');
  });

  it('a .sha256 as backup run writes it is ok for both', async () => {
    const file = backupWith((path) => writeFileSync(path, `${HEX}  ${NAME}\n`));
    expect(await hasValidChecksum(file)).toBe(true);
    expect(await statusVerdict(file)).toBe('ok');
  });
});
