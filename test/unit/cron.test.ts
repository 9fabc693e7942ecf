import { describe, expect, it } from 'vitest';
import {
  type BackupJob,
  buildCronLine,
  findMarkedLine,
  formatLocal,
  isMarkableProfile,
  markedProfile,
  nextRun,
  parseAt,
  parseCronLine,
  removeMarkedLine,
  replaceMarkedLine,
} from '../../src/backup/cron-line.js';
import { shellQuote } from '../../src/format/shell-quote.js';

const job = (overrides: Partial<BackupJob> = {}): BackupJob => ({
  profile: 'default',
  at: { hour: 2, minute: 0 },
  dir: '/var/backups/audit',
  nodePath: '/usr/local/bin/node',
  binPath: '/opt/audit/bin/audit.js',
  ...overrides,
});

const UNRELATED = [
  '# m h  dom mon dow   command',
  'MAILTO=ops@example.com',
  'SHELL=/bin/bash',
  '',
  '*/5 * * * * /usr/bin/uptime >> /tmp/uptime.log   # keep an eye',
  '0 3 * * 0\t/usr/local/bin/weekly.sh  ',
].join('\n');

describe('buildCronLine', () => {
  it('uses absolute paths, passes the profile and options, appends output to DIR/backup.log, ends with the marker', () => {
    expect(buildCronLine(job({ format: 'csv', keep: 30, at: { hour: 3, minute: 30 } }))).toBe(
      '30 3 * * * /usr/local/bin/node /opt/audit/bin/audit.js --profile default backup run --dir /var/backups/audit --format csv --keep 30 >> /var/backups/audit/backup.log 2>&1 # audit-backup profile=default',
    );
  });

  it('leaves --format and --keep out when not given', () => {
    const line = buildCronLine(job());
    expect(line).toContain('backup run --dir /var/backups/audit >>');
    expect(line).not.toContain('--format');
    expect(line).not.toContain('--keep');
  });

  it('sets AUDIT_CONFIG_DIR in front of the command when given', () => {
    const line = buildCronLine(job({ env: { AUDIT_CONFIG_DIR: '/home/me/.audit' } }));
    expect(line).toMatch(/^0 2 \* \* \* AUDIT_CONFIG_DIR=\/home\/me\/\.audit \/usr\/local\/bin\/node /);
  });

  it('quotes paths with spaces and quotes for sh, and escapes % for cron', () => {
    const line = buildCronLine(
      job({
        dir: "/Users/me/Audit Backups/it's 100%",
        binPath: '/opt/my apps/audit/bin/audit.js',
        env: { AUDIT_CONFIG_DIR: '/home/me/My Config' },
      }),
    );
    expect(line).toBe(
      "0 2 * * * AUDIT_CONFIG_DIR='/home/me/My Config' /usr/local/bin/node '/opt/my apps/audit/bin/audit.js' --profile default backup run --dir '/Users/me/Audit Backups/it'\\''s 100\\%' >> '/Users/me/Audit Backups/it'\\''s 100\\%/backup.log' 2>&1 # audit-backup profile=default",
    );
    // What cron hands to sh reads back as the original directory.
    expect(parseCronLine(line).dir).toBe("/Users/me/Audit Backups/it's 100%");
  });

  it('refuses a newline, which would split the line', () => {
    expect(() => buildCronLine(job({ dir: '/tmp/a\nb' }))).toThrow(RangeError);
  });

  it('shellQuote leaves safe words bare', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});

describe('marked lines in a crontab', () => {
  const ours = buildCronLine(job());
  const staging = buildCronLine(job({ profile: 'staging', dir: '/srv/staging' }));

  it('recognizes the marker and its profile, not look-alikes', () => {
    expect(markedProfile(ours)).toBe('default');
    expect(markedProfile('0 1 * * * echo # audit-backup profile=default2')).toBe('default2');
    expect(markedProfile('0 1 * * * echo audit-backup profile=default')).toBeUndefined();
  });

  it('adds the line at the end, keeping every other line exactly', () => {
    const after = replaceMarkedLine(`${UNRELATED}\n`, 'default', ours);
    expect(after).toBe(`${UNRELATED}\n${ours}\n`);
  });

  it('replaces the marked line in place, keeps unrelated lines and other profiles byte for byte', () => {
    const before = `${UNRELATED}\n${staging}\n0 1 * * * old # audit-backup profile=default\n# trailer\n`;
    const after = replaceMarkedLine(before, 'default', ours);
    expect(after).toBe(`${UNRELATED}\n${staging}\n${ours}\n# trailer\n`);
    expect(replaceMarkedLine(after, 'default', ours)).toBe(after);
  });

  it('collapses duplicates of the same profile into one line', () => {
    const before = `${ours}\nA=1\n${ours}\n`;
    expect(replaceMarkedLine(before, 'default', ours)).toBe(`${ours}\nA=1\n`);
  });

  it('works on an empty crontab and one without a final newline', () => {
    expect(replaceMarkedLine('', 'default', ours)).toBe(`${ours}\n`);
    expect(replaceMarkedLine('A=1', 'default', ours)).toBe(`A=1\n${ours}\n`);
  });

  it('finds the line of one profile', () => {
    const text = `${UNRELATED}\n${staging}\n${ours}\n`;
    expect(findMarkedLine(text, 'default')).toBe(ours);
    expect(findMarkedLine(text, 'staging')).toBe(staging);
    expect(findMarkedLine(text, 'prod')).toBeUndefined();
  });

  it('removes only the profile’s line', () => {
    const text = `${UNRELATED}\n${ours}\n${staging}\n`;
    expect(removeMarkedLine(text, 'default')).toEqual({ text: `${UNRELATED}\n${staging}\n`, removed: 1 });
    expect(removeMarkedLine(`${UNRELATED}\n`, 'default')).toEqual({ text: `${UNRELATED}\n`, removed: 0 });
    expect(removeMarkedLine(`${ours}\n`, 'default')).toEqual({ text: '', removed: 1 });
  });

  it('accepts only profile names that stand unquoted in the marker', () => {
    expect(isMarkableProfile('prod-eu.1')).toBe(true);
    expect(isMarkableProfile('my profile')).toBe(false);
    expect(isMarkableProfile('')).toBe(false);
  });
});

describe('parseCronLine', () => {
  it('reads back the time, --dir and --format', () => {
    const line = buildCronLine(job({ at: { hour: 23, minute: 59 }, format: 'ndjson' }));
    expect(parseCronLine(line)).toEqual({
      at: { hour: 23, minute: 59 },
      dir: '/var/backups/audit',
      format: 'ndjson',
      disabled: false,
    });
  });

  it('notices a line commented out by hand, and a schedule that is not daily', () => {
    expect(parseCronLine(`# ${buildCronLine(job())}`).disabled).toBe(true);
    expect(parseCronLine('0 2 * * 1 node audit.js # audit-backup profile=default').at).toBeUndefined();
  });
});

describe('parseAt', () => {
  it.each([
    ['02:00', { hour: 2, minute: 0 }],
    ['2:05', { hour: 2, minute: 5 }],
    ['00:00', { hour: 0, minute: 0 }],
    ['23:59', { hour: 23, minute: 59 }],
  ])('accepts %s', (text, expected) => {
    expect(parseAt(text)).toEqual(expected);
  });

  it.each(['25:00', '24:00', '12:60', '1200', '12:5', 'noon', '', '-1:00', '12:00:00'])(
    'refuses %j',
    (text) => {
      expect(parseAt(text)).toBeUndefined();
    },
  );
});

describe('nextRun', () => {
  const at = { hour: 2, minute: 0 };

  it('is today when today’s time is still ahead', () => {
    expect(nextRun(at, new Date(2025, 0, 15, 1, 59, 30))).toEqual(new Date(2025, 0, 15, 2, 0));
  });

  it('is tomorrow when today’s time has passed, or is now', () => {
    expect(nextRun(at, new Date(2025, 0, 15, 2, 0, 0))).toEqual(new Date(2025, 0, 16, 2, 0));
    expect(nextRun(at, new Date(2025, 0, 15, 14, 0))).toEqual(new Date(2025, 0, 16, 2, 0));
  });

  it('crosses month and year ends', () => {
    expect(nextRun(at, new Date(2024, 11, 31, 23, 0))).toEqual(new Date(2025, 0, 1, 2, 0));
    expect(nextRun({ hour: 0, minute: 30 }, new Date(2024, 1, 28, 12, 0))).toEqual(
      new Date(2024, 1, 29, 0, 30),
    );
  });

  it('formats as local time with its offset', () => {
    expect(formatLocal(new Date(2025, 0, 16, 2, 0))).toMatch(/^2025-01-16T02:00:00[+-]\d\d:\d\d$/);
  });
});
