import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { BACKUP_FORMATS, type BackupFormat } from '../../backup/backup-files.js';
import {
  type BackupJob,
  buildCronLine,
  findMarkedLine,
  formatAt,
  formatIn,
  formatLocal,
  isMarkableProfile,
  logFile,
  nextRun,
  parseAt,
  removeMarkedLine,
  replaceMarkedLine,
  type ScheduleTime,
} from '../../backup/cron-line.js';
import { configDir, dataDir } from '../../config/paths.js';
import { assertTokenFilePath, type Connection } from '../../config/settings.js';
import { PACKAGE_ROOT } from '../../domain/package-root.js';
import { type CliContext, writeLine } from '../context.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { examples, integerInRange } from '../parse-options.js';
import { asUsageError, openSession } from '../session.js';
import { packageVersion } from '../version.js';

interface ScheduleOptions {
  at: ScheduleTime;
  dir?: string;
  format?: BackupFormat;
  keep?: number;
  print?: boolean;
}

/** `backup schedule`, `backup unschedule` and `backup status`, for the `backup` group. */
export function backupScheduleCommands(context: CliContext): Command[] {
  return [scheduleCommand(context), unscheduleCommand(context), statusCommand(context)];
}

/** bin/audit.js of this installation, absolute: cron's PATH does not know where `audit` is. */
const BIN_PATH = fileURLToPath(new URL('bin/audit.js', PACKAGE_ROOT));

function parseAtOption(text: string): ScheduleTime {
  const at = parseAt(text);
  if (!at) throw new UsageError(`--at expects a time of day as HH:MM (00:00 to 23:59), got "${text}"`);
  return at;
}

const defaultDir = (context: CliContext) => join(dataDir(context.env), 'backups');

/**
 * The profile the line is for, checked so it can stand in the marker comment unquoted. These
 * commands send no request, so the token is not read: an unreadable AUDIT_TOKEN_FILE is the
 * scheduled job's problem, which `schedule` warns about (jobCredentialWarning).
 */
async function profileConnection(context: CliContext, command: Command) {
  const session = await openSession(
    { ...context, env: { ...context.env, AUDIT_TOKEN_FILE: undefined } },
    command,
  );
  const connection = await session.connection();
  if (!isMarkableProfile(connection.profile)) {
    throw new UsageError(
      `profile "${connection.profile}" cannot be scheduled: use letters, digits, '.', '_', '@' or '-'`,
    );
  }
  return { connection, json: session.flags.output === 'json' };
}

/** crontab's failures in the SPEC's exit codes: one line, exit 1. */
async function crontab<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { CrontabError, NoCrontabError } = await import('../../backup/cron.js');
    if (error instanceof NoCrontabError || error instanceof CrontabError)
      throw new CliError(error.message, EXIT.failure);
    throw error;
  }
}

function scheduleCommand(context: CliContext): Command {
  return new Command('schedule')
    .description('install (or --print) the daily crontab line that runs audit backup run')
    .addOption(
      new Option('--at <HH:MM>', 'time of day, local time')
        .argParser(parseAtOption)
        .default(parseAt('02:00'), '02:00'),
    )
    .option('--dir <dir>', 'backup directory (default: <data dir>/backups)')
    .addOption(new Option('--format <format>', 'backup file format').choices(BACKUP_FORMATS))
    .option('--keep <n>', 'remove backups older than N days', integerInRange('--keep', 0, 100_000))
    .option('--print', 'print the crontab line, a systemd timer and a Kubernetes CronJob; install nothing')
    .addHelpText(
      'after',
      examples(
        '$ audit backup schedule                              # daily at 02:00 into <data dir>/backups',
        '$ audit backup schedule --at 03:30 --dir /srv/audit-backups --keep 90',
        '$ audit --profile prod backup schedule --format csv # one line per profile',
        '$ audit backup schedule --print > audit-backup.txt  # for systemd timers or Kubernetes',
      ),
    )
    .action(async (options: ScheduleOptions, command: Command) => {
      const { connection } = await profileConnection(context, command);
      const dir = resolve(options.dir ?? defaultDir(context));
      if (/[\r\n]/.test(dir)) throw new UsageError('--dir cannot contain a newline');
      const job = {
        profile: connection.profile,
        at: options.at,
        dir,
        format: options.format,
        keep: options.keep,
        nodePath: process.execPath,
        binPath: BIN_PATH,
        env: jobEnv(context.env),
      };
      const credentialWarning = await jobCredentialWarning(job);
      warnOutsideProfile(context, connection, credentialWarning !== undefined);
      // Said last, after what was installed or printed, so that it is the line a person sees.
      const warnAfter = () => credentialWarning && writeLine(context.stderr, credentialWarning);
      if (options.print) {
        const { renderSchedulePrint } = await import('../../backup/cron-print.js');
        const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        const version = packageVersion();
        writeLine(context.stdout, renderSchedulePrint(job, { ...connection, timeZone, version }));
        warnAfter();
        return;
      }
      const { readCrontab, writeCrontab } = await import('../../backup/cron.js');
      const line = buildCronLine(job);
      const before = await crontab(() => readCrontab(context.env));
      const existing = findMarkedLine(before, job.profile);
      const after = replaceMarkedLine(before, job.profile, line);
      // The log redirection needs DIR to exist when cron runs the line.
      const { prepareBackupDir, BackupDirError } = await import('../../backup/backup-dir.js');
      await prepareBackupDir(dir).catch((error: unknown) => {
        throw error instanceof BackupDirError ? new UsageError(error.message, { cause: error }) : error;
      });
      if (after !== before) await crontab(() => writeCrontab(after, context.env));
      const verb =
        existing === undefined ? 'Installed' : existing === line ? 'Already installed' : 'Replaced';
      const next = nextRun(job.at, new Date(context.now()));
      const out = (text: string) => writeLine(context.stdout, text);
      out(`${verb} in your crontab (profile "${job.profile}"), daily at ${formatAt(job.at)} local time:`);
      out(`  ${line}`);
      out(`Backups go to ${dir}; the job's output is appended to ${logFile(dir)}.`);
      out(`Next run: ${formatLocal(next)} (${formatIn(next.getTime() - context.now())}).`);
      warnAfter();
    });
}

/**
 * cron starts jobs with a minimal env and its own HOME: the line names where the profile is (the
 * config directory, absolute, always) and the token file if one is used — never a token, since a
 * crontab is readable by root and the command line of a running job by everyone (`ps`).
 */
function jobEnv(env: NodeJS.ProcessEnv): { AUDIT_CONFIG_DIR: string; AUDIT_TOKEN_FILE?: string } {
  const carried: { AUDIT_CONFIG_DIR: string; AUDIT_TOKEN_FILE?: string } = {
    AUDIT_CONFIG_DIR: resolve(configDir(env)),
  };
  if (env.AUDIT_TOKEN_FILE) {
    const path = env.AUDIT_TOKEN_FILE;
    asUsageError(() => assertTokenFilePath(path));
    carried.AUDIT_TOKEN_FILE = resolve(path);
  }
  return carried;
}

/** A warning (the line is installed all the same) when the job will not find a usable token. */
async function jobCredentialWarning(job: BackupJob & { env: ReturnType<typeof jobEnv> }) {
  const { jobCredentialProblem } = await import('../../backup/job-credentials.js');
  const tokenFile = job.env.AUDIT_TOKEN_FILE;
  const problem = jobCredentialProblem({
    profile: job.profile,
    configDir: job.env.AUDIT_CONFIG_DIR,
    tokenFile,
  });
  if (problem === undefined) return undefined;
  const login = job.profile === 'default' ? 'audit login' : `audit login --profile ${job.profile}`;
  const fix =
    tokenFile === undefined
      ? `run \`${login}\` (the line need not change), or schedule again with AUDIT_TOKEN_FILE set`
      : `make ${tokenFile} hold the token, readable by you (the user cron runs the job as)`;
  return `audit: warning: the scheduled job will fail: ${problem}; ${fix}`;
}

/** Settings given by flag or env now are not in the profile, so the scheduled job will not have them. */
function warnOutsideProfile(context: CliContext, connection: Connection, tokenWarned: boolean): void {
  const outside = [
    connection.serverSource === 'flag' ? '--server' : connection.serverSource === 'env' ? 'AUDIT_SERVER' : '',
    connection.orgSource === 'flag' ? '--org' : connection.orgSource === 'env' ? 'AUDIT_ORG' : '',
    connection.tokenSource === 'AUDIT_TOKEN' && !tokenWarned ? 'AUDIT_TOKEN' : '',
  ].filter(Boolean);
  if (outside.length === 0) return;
  writeLine(
    context.stderr,
    `audit: note: the scheduled job reads profile "${connection.profile}" and will not see ${outside.join(', ')}; save them in the profile with audit login --profile ${connection.profile}`,
  );
}

function unscheduleCommand(context: CliContext): Command {
  return new Command('unschedule')
    .description("remove this profile's backup line from your crontab (backups are kept)")
    .addHelpText('after', examples('$ audit backup unschedule', '$ audit --profile prod backup unschedule'))
    .action(async (_options: unknown, command: Command) => {
      const { profile } = (await profileConnection(context, command)).connection;
      const { readCrontab, writeCrontab, NoCrontabError } = await import('../../backup/cron.js');
      // No crontab command: nothing can be scheduled, so there is nothing to remove.
      const before = await crontab(() =>
        readCrontab(context.env).catch((error: unknown) => {
          if (error instanceof NoCrontabError) return '';
          throw error;
        }),
      );
      const { text, removed } = removeMarkedLine(before, profile);
      if (removed === 0) {
        writeLine(context.stdout, `Nothing to remove: no backup is scheduled for profile "${profile}".`);
        return;
      }
      await crontab(() => writeCrontab(text, context.env));
      writeLine(context.stdout, `Removed the scheduled backup of profile "${profile}" from your crontab.`);
    });
}

function statusCommand(context: CliContext): Command {
  return new Command('status')
    .description('show the scheduled line, its next run, and the last backup with its count and checksum')
    .option('--dir <dir>', "backup directory (default: the scheduled line's, else <data dir>/backups)")
    .addHelpText(
      'after',
      examples('$ audit backup status', '$ audit backup status --dir /srv/audit-backups -o json'),
    )
    .action(async (options: { dir?: string }, command: Command) => {
      const { connection, json } = await profileConnection(context, command);
      const now = new Date(context.now());
      const { backupStatus, renderStatus } = await import('../../backup/cron-status.js');
      const report = await backupStatus({
        env: context.env,
        now,
        profile: connection.profile,
        dir: options.dir === undefined ? undefined : resolve(options.dir),
        defaultDir: defaultDir(context),
      });
      writeLine(context.stdout, json ? JSON.stringify(report, null, 2) : renderStatus(report, now));
    });
}
