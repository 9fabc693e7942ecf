import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, runCli, startServerProcess, tempHome } from '../helpers/cli.js';
import { startCli } from '../helpers/export-fixtures.js';

/** A crontab someone already has: comments, env assignments, other jobs, another profile's line. */
const SEED = [
  '# Edit this file to introduce tasks to be run by cron.',
  'MAILTO=ops@example.com',
  'PATH=/usr/local/bin:/usr/bin:/bin',
  '',
  '*/10 * * * *   /usr/bin/true   # health ping, keep the spacing',
  '0 4 * * 0 /usr/bin/env echo weekly\t# tab inside',
  '30 1 * * * /usr/bin/node /opt/audit/bin/audit.js --profile staging backup run --dir /srv/staging # audit-backup profile=staging',
  '',
].join('\n');

const FAKE_CRONTAB = `#!/bin/sh
echo "$*" >> "$FAKE_CRONTAB_FILE.calls"
case "$1" in
  -l) if [ -f "$FAKE_CRONTAB_FILE" ]; then cat "$FAKE_CRONTAB_FILE"; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
  -) cat > "$FAKE_CRONTAB_FILE" ;;
  *) echo "fake crontab: unsupported $*" >&2; exit 2 ;;
esac
`;

/** A temp home with a fake `crontab` first on PATH, storing the crontab in a file. */
function fakeCron(seed?: string) {
  const home = tempHome();
  const bin = join(home.dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'crontab'), FAKE_CRONTAB);
  chmodSync(join(bin, 'crontab'), 0o755);
  const file = join(home.dir, 'crontab.txt');
  if (seed !== undefined) writeFileSync(file, seed);
  const env = cliEnv(home.configDir, {
    PATH: `${bin}:${process.env.PATH}`,
    FAKE_CRONTAB_FILE: file,
    AUDIT_DATA_DIR: join(home.dir, 'data'),
  });
  const dir = join(home.dir, 'my backups'); // a space: the line must quote it for sh
  const read = () => readFileSync(file, 'utf8');
  const calls = () => (existsSync(`${file}.calls`) ? readFileSync(`${file}.calls`, 'utf8') : '');
  return { home, env, dir, read, calls, run: (args: string[]) => runCli(args, { env }) };
}

const ours = (text: string) =>
  text.split('\n').filter((line) => line.endsWith('# audit-backup profile=default'));

describe('audit backup schedule / unschedule with a fake crontab', () => {
  it('schedules twice: one marked line with absolute paths, every unrelated line unchanged', async () => {
    const cron = fakeCron(SEED);
    const first = await cron.run(['backup', 'schedule', '--dir', cron.dir, '--keep', '30']);
    // Nobody logged in: installed all the same, with a warning that names the file and the fix.
    expect(first.stderr).toBe(
      `audit: warning: the scheduled job will fail: no token for profile "default" in ${cron.home.configDir}/config.json; run \`audit login\` (the line need not change), or schedule again with AUDIT_TOKEN_FILE set\n`,
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Installed in your crontab \(profile "default"\), daily at 02:00/);
    const [line] = ours(cron.read());
    expect(cron.read()).toBe(`${SEED}${line}\n`);
    expect(line).toBe(
      `0 2 * * * AUDIT_CONFIG_DIR=${cron.home.configDir} ${process.execPath} ${BIN} --profile default backup run --dir '${cron.dir}' --keep 30 >> '${cron.dir}/backup.log' 2>&1 # audit-backup profile=default`,
    );
    expect(existsSync(cron.dir)).toBe(true); // the log redirection needs it

    const second = await cron.run([
      'backup',
      'schedule',
      '--dir',
      cron.dir,
      '--at',
      '03:15',
      '--format',
      'csv',
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Replaced/);
    const after = ours(cron.read());
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/^15 3 \* \* \* .* --format csv >> /);
    expect(cron.read()).toBe(`${SEED}${after[0]}\n`);

    // What cron would run, in cron's bare environment: the job starts and logs to DIR/backup.log.
    const command = (after[0] as string).replace(/^(\S+\s+){5}/, '').replace(/\\%/g, '%');
    spawnSync('/bin/sh', ['-c', command], { env: { HOME: cron.home.dir, PATH: '/usr/bin:/bin' } });
    expect(readFileSync(join(cron.dir, 'backup.log'), 'utf8')).toBe(
      `audit: not logged in: no token for profile "default" in ${cron.home.configDir}/config.json; run \`audit login\` as the user the job runs as, or set AUDIT_TOKEN_FILE\n`,
    );
  });

  it('refuses --at 25:00 with exit 2 and leaves the crontab alone', async () => {
    const cron = fakeCron(SEED);
    const result = await cron.run(['backup', 'schedule', '--at', '25:00']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^audit: --at expects a time of day as HH:MM/);
    expect(cron.calls()).toBe('');
  });

  it.skipIf(!existsSync('/proc/self'))(
    'a --dir that cannot be made (under /proc) fails at once with one line and exit 2; the crontab is left alone',
    async () => {
      const cron = fakeCron(SEED);
      const result = await runCli(['backup', 'schedule', '--dir', '/proc/audit-backups'], {
        env: cron.env,
        killAfterMs: 15_000,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^audit: cannot use \/proc\/audit-backups as the backup directory: .*\n$/,
      );
      expect(result.stderr.split('\n')).toHaveLength(2);
      expect(cron.read()).toBe(SEED);
    },
  );

  it('--print shows the cron line, a systemd timer and service, and a Kubernetes CronJob; installs nothing', async () => {
    const cron = fakeCron(SEED);
    const result = await cron.run(['backup', 'schedule', '--print', '--at', '04:05', '--dir', cron.dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# ── cron ──');
    expect(result.stdout).toMatch(/^5 4 \* \* \* .*# audit-backup profile=default$/m);
    expect(result.stdout).toContain('audit-backup-default.service\n[Unit]');
    expect(result.stdout).toMatch(/^ExecStart=.* --profile default backup run --dir "[^"]*my backups"$/m);
    expect(result.stdout).toContain('audit-backup-default.timer\n[Unit]');
    expect(result.stdout).toContain('OnCalendar=*-*-* 04:05:00');
    expect(result.stdout).toContain('kind: CronJob');
    expect(result.stdout).toContain('schedule: "5 4 * * *"');
    expect(cron.calls()).toBe('');
    expect(cron.read()).toBe(SEED);
  });

  it('unschedule removes only our line; a second time there is nothing to remove', async () => {
    const cron = fakeCron(SEED);
    await cron.run(['backup', 'schedule', '--dir', cron.dir]);
    expect(ours(cron.read())).toHaveLength(1);
    const removed = await cron.run(['backup', 'unschedule']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/^Removed/);
    expect(cron.read()).toBe(SEED);
    const again = await cron.run(['backup', 'unschedule']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to remove/);
    expect(cron.read()).toBe(SEED);
  });

  it('treats "no crontab for user" as empty', async () => {
    const cron = fakeCron();
    expect((await cron.run(['backup', 'schedule'])).code).toBe(0);
    expect(ours(cron.read())[0]).toContain(`--dir ${join(cron.home.dir, 'data', 'backups')} `);
    expect(cron.read().split('\n')).toHaveLength(2);
  });

  it('without a crontab command: exit 1, one line suggesting --print', async () => {
    const cron = fakeCron();
    const result = await runCli(['backup', 'schedule'], { env: { ...cron.env, PATH: cron.home.dir } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^audit: no crontab command .*--print/);
    const printed = await runCli(['backup', 'schedule', '--print'], {
      env: { ...cron.env, PATH: cron.home.dir },
    });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('kind: CronJob');
  });
});

/** The command part of a crontab line (after the five time fields), as cron hands it to sh. */
const commandOf = (line: string) => line.replace(/^(\S+\s+){5}/, '').replace(/\\%/g, '%');

/** What cron does with a line: sh -c in a bare environment, with a HOME that is not the user's. */
function runAsCron(line: string) {
  return spawnSync(
    'env',
    ['-i', 'HOME=/nonexistent', 'SHELL=/bin/sh', 'PATH=/usr/bin:/bin', 'sh', '-c', commandOf(line)],
    { encoding: 'utf8', timeout: 60_000 },
  );
}

/** A user whose profile lives under HOME (no AUDIT_CONFIG_DIR, no XDG_CONFIG_HOME), with a fake crontab. */
function homeUser() {
  const cron = fakeCron();
  const env: NodeJS.ProcessEnv = { ...cron.env, HOME: cron.home.dir };
  delete env.AUDIT_CONFIG_DIR;
  delete env.XDG_CONFIG_HOME;
  const configFile = join(cron.home.dir, '.config', 'audit', 'config.json');
  return { ...cron, env, configFile, run: (args: string[]) => runCli(args, { env }) };
}

describe('the scheduled job finds its credentials wherever cron runs it', () => {
  it('a profile under HOME: the line names its config directory, so cron with another HOME backs up', async () => {
    const user = homeUser();
    // First start saves the owner token to profile "default" under HOME.
    const server = await startServerProcess(['--db', user.home.dbFile], user.env);
    try {
      expect(existsSync(user.configFile)).toBe(true);
      const scheduled = await user.run(['backup', 'schedule', '--dir', user.dir]);
      expect(scheduled.stderr).toBe('');
      expect(scheduled.code).toBe(0);
      const [line] = ours(user.read());
      expect(line).toMatch(
        new RegExp(
          `^0 2 \\* \\* \\* AUDIT_CONFIG_DIR=${join(user.home.dir, '.config', 'audit').replace(/\./g, '\\.')} /`,
        ),
      );
      const job = runAsCron(line as string);
      expect(job.status).toBe(0);
      expect(readFileSync(join(user.dir, 'backup.log'), 'utf8')).toBe('');
      const files = readdirSync(user.dir).sort();
      expect(files).toEqual([
        expect.stringMatching(/^audit-logs-\d{4}-\d\d-\d\d\.json$/),
        `${files[0]}.proof.json`,
        `${files[0]}.sha256`,
        'backup.log',
      ]);
    } finally {
      await server.stop();
    }
  });

  it('AUDIT_TOKEN_FILE goes into the line as an absolute path; a token never does', async () => {
    const cron = fakeCron();
    const token = `adt_${'A'.repeat(46)}`;
    writeFileSync(join(cron.home.dir, 'token'), `${token}\n`, { mode: 0o600 });
    // A relative path, as typed in a shell: cron starts in HOME, not here.
    const result = await startCli(
      ['backup', 'schedule', '--dir', cron.dir],
      { ...cron.env, AUDIT_TOKEN_FILE: 'token', AUDIT_TOKEN: token },
      cron.home.dir,
    ).done;
    expect(result.code).toBe(0);
    const [line] = ours(cron.read());
    expect(line).toContain(` AUDIT_TOKEN_FILE=${join(cron.home.dir, 'token')} `);
    expect(line).not.toContain('adt_');
    expect(line).not.toContain('AUDIT_TOKEN=');
    expect(result.stdout).not.toContain('adt_');
  });

  it('a token file that is missing: installed with a warning naming the file and the fix (exit 0)', async () => {
    const cron = fakeCron();
    const missing = join(cron.home.dir, 'secrets', 'audit-token');
    const result = await runCli(['backup', 'schedule', '--dir', cron.dir], {
      env: { ...cron.env, AUDIT_TOKEN_FILE: missing },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `^audit: warning: the scheduled job will fail: cannot read AUDIT_TOKEN_FILE[^\\n]*${missing}`,
      ),
    );
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(ours(cron.read())).toHaveLength(1);
  });

  it('a profile that does not exist: the warning names the profile, the file and the login to run', async () => {
    const cron = fakeCron();
    const result = await cron.run(['--profile', 'nightly', 'backup', 'schedule', '--dir', cron.dir]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `audit: warning: the scheduled job will fail: no token for profile "nightly" in ${cron.home.configDir}/config.json; run \`audit login --profile nightly\` (the line need not change), or schedule again with AUDIT_TOKEN_FILE set\n`,
    );
  });
});

describe('backup schedule --print for Kubernetes', () => {
  const withProfile = (server: string) => {
    const cron = fakeCron();
    mkdirSync(cron.home.configDir, { recursive: true });
    const profile = { server, org: 'acme', token: `adt_${'B'.repeat(46)}` };
    writeFileSync(
      join(cron.home.configDir, 'config.json'),
      JSON.stringify({ profiles: { default: profile }, activeProfile: 'default' }),
      { mode: 0o600 },
    );
    return cron;
  };
  const cronJob = (stdout: string) => stdout.slice(stdout.indexOf('# ── Kubernetes'));

  it('a server on this machine’s loopback is not put in the pod: a placeholder with a comment says what to fill in', async () => {
    for (const server of ['http://127.0.0.1:7787', 'http://localhost:7787', 'http://[::1]:7787']) {
      const result = await withProfile(server).run(['backup', 'schedule', '--print']);
      expect(result.code).toBe(0);
      const yaml = cronJob(result.stdout);
      expect(yaml).not.toMatch(/^[^#]*(127\.0\.0\.1|localhost|\[::1\])/m); // only comments may name it
      expect(yaml).toMatch(/# REPLACE: .*reach/);
      expect(yaml).toContain('value: "<server URL reachable from the pod>"');
    }
  });

  it('a server the cluster can reach is used as is, and the org with it', async () => {
    const result = await withProfile('https://audit.corp.example:8443').run([
      'backup',
      'schedule',
      '--print',
    ]);
    const yaml = cronJob(result.stdout);
    expect(yaml).toContain('value: "https://audit.corp.example:8443"');
    expect(yaml).toContain('value: "acme"');
    expect(yaml).not.toContain('REPLACE: the server');
  });

  it('does not npx the package, which is not on a registry: an image built from the packed tarball, marked to replace', async () => {
    const result = await withProfile('https://audit.corp.example').run(['backup', 'schedule', '--print']);
    const yaml = cronJob(result.stdout);
    expect(yaml).not.toContain('npx');
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    expect(yaml).toContain(`image: "<your-registry>/audit-cli:${version}"`);
    expect(yaml).toContain(`npm install -g --ignore-scripts /tmp/audit-cli-${version}.tgz`);
    expect(yaml).toMatch(/command: \["audit", "backup", "run", "--dir", "\/backups"/);
    expect(result.stdout).not.toContain('BBBBBBBB'); // the profile's token
  });
});

function writeBackup(dir: string, name: string, content: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), content);
  const hex = createHash('sha256').update(content).digest('hex');
  writeFileSync(join(dir, `${name}.sha256`), `${hex}  ${name}\n`);
}

describe('audit backup status', () => {
  it('shows the line, next run, and the newest backup with size, count and checksum', async () => {
    const cron = fakeCron(SEED);
    const json = '[\n{"id":"a"},\n{"id":"b"},\n{"id":"c"}\n]\n';
    writeBackup(cron.dir, 'audit-logs-2025-01-14.json', json);
    writeBackup(cron.dir, 'audit-logs-2025-01-13.ndjson', '{"id":"x"}\n');

    const unscheduled = await cron.run(['backup', 'status', '--dir', cron.dir]);
    expect(unscheduled.code).toBe(0);
    expect(unscheduled.stdout).toMatch(/^Schedule: +not scheduled/m);
    expect(unscheduled.stdout).toMatch(/^Last backup: +audit-logs-2025-01-14\.json/m);
    expect(unscheduled.stdout).toMatch(new RegExp(`^Size: +${json.length} bytes$`, 'm'));
    expect(unscheduled.stdout).toMatch(/^Events: +3$/m);
    expect(unscheduled.stdout).toMatch(/^Checksum: +ok$/m);

    await cron.run(['backup', 'schedule', '--dir', cron.dir, '--at', '06:45']);
    const status = await cron.run(['-o', 'json', 'backup', 'status']); // DIR comes from the line
    const report = JSON.parse(status.stdout);
    expect(report).toMatchObject({ profile: 'default', scheduled: true, directory: cron.dir });
    expect(report.line).toBe(ours(cron.read())[0]);
    expect(report.next_run).toMatch(/^\d{4}-\d\d-\d\dT06:45:00[+-]\d\d:\d\d$/);
    expect(report.last_backup).toMatchObject({
      file: 'audit-logs-2025-01-14.json',
      events: 3,
      checksum: 'ok',
    });

    appendFileSync(join(cron.dir, 'audit-logs-2025-01-14.json'), ' ');
    const tampered = await cron.run(['backup', 'status']);
    expect(tampered.stdout).toMatch(/^Checksum: +MISMATCH/m);
    expect(tampered.stdout).toMatch(/^Next run: +\S+T06:45:00/m);
  });

  it('counts CSV records whose values hold newlines, and reports a missing .sha256', async () => {
    const cron = fakeCron();
    const csv = stringify([
      ['id', 'description', 'metadata'],
      ['a', 'first line\nsecond line', '{"k":"v"}'],
      ['b', 'plain', ''],
    ]);
    writeBackup(cron.dir, 'audit-logs-2025-02-01.csv', csv);
    const result = await cron.run(['-o', 'json', 'backup', 'status', '--dir', cron.dir]);
    expect(JSON.parse(result.stdout).last_backup).toMatchObject({ events: 2, checksum: 'ok', format: 'csv' });
    spawnSync('rm', [join(cron.dir, 'audit-logs-2025-02-01.csv.sha256')]);
    const missing = await cron.run(['backup', 'status', '--dir', cron.dir]);
    expect(missing.stdout).toMatch(/^Checksum: +missing \.sha256$/m);
  });
});

const hasCrontab = spawnSync('sh', ['-c', 'command -v crontab']).status === 0;

describe('with the real crontab command', () => {
  const reason = hasCrontab ? '' : ' — skipped: no crontab command on this machine (apt-get install cron)';
  it.skipIf(!hasCrontab)(
    `schedule twice leaves one line, the rest untouched; restored after${reason}`,
    async () => {
      const original = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
      const restore = () =>
        original.status === 0
          ? spawnSync('crontab', ['-'], { input: original.stdout })
          : spawnSync('crontab', ['-r']);
      try {
        expect(spawnSync('crontab', ['-'], { input: SEED }).status).toBe(0);
        const home = tempHome();
        const env = cliEnv(home.configDir, { AUDIT_DATA_DIR: join(home.dir, 'data') });
        for (const at of ['02:00', '02:30']) {
          expect((await runCli(['backup', 'schedule', '--at', at], { env })).code).toBe(0);
        }
        const installed = spawnSync('crontab', ['-l'], { encoding: 'utf8' }).stdout;
        const lines = ours(installed);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^30 2 \* \* \* /);
        expect(installed).toBe(`${SEED}${lines[0]}\n`);
        expect((await runCli(['backup', 'unschedule'], { env })).code).toBe(0);
        expect(spawnSync('crontab', ['-l'], { encoding: 'utf8' }).stdout).toBe(SEED);
      } finally {
        restore();
      }
    },
  );
});
