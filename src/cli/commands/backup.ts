import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { BACKUP_FORMATS, type BackupFormat } from '../../backup/backup-files.js';
import { configDir, dataDir } from '../../config/paths.js';
import { configFileIn } from '../../config/profile-file.js';
import { InterruptedError } from '../../domain/interrupted.js';
import { addDays, formatDate, parseDateText } from '../../domain/zoned-time.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { AuthError, CliError, EXIT, UsageError } from '../errors.js';
import { examples, integerInRange } from '../parse-options.js';
import { openSession } from '../session.js';
// schedule, unschedule and status live in their own file.
import { backupScheduleCommands } from './backup-schedule.js';

interface RunOptions {
  dir?: string;
  date: string;
  format: BackupFormat;
  keep?: number;
}

export function backupCommand(context: CliContext): Command {
  const command = new Command('backup')
    .description('daily backup files for cron: run one, schedule it in your crontab, check on it')
    .addHelpText(
      'after',
      examples(
        '$ audit backup run --dir /srv/audit-backups --keep 400        # one day, by hand or from cron',
        '$ audit backup schedule --at 02:30 --dir /srv/audit-backups   # install the nightly crontab line',
        '$ audit backup status                                         # last backup, its count and checksum',
      ),
    );
  command.addCommand(backupRunCommand(context));
  for (const subcommand of backupScheduleCommands(context)) command.addCommand(subcommand);
  return command;
}

function backupRunCommand(context: CliContext): Command {
  return new Command('run')
    .summary('back up one day (default: yesterday) to DIR/audit-logs-YYYY-MM-DD.<format>, for cron')
    .description(
      'back up one day (default: yesterday in the display time zone) to DIR/audit-logs-YYYY-MM-DD.<format> and a .sha256; silent on success when not on a terminal, never prompts',
    )
    .option('--dir <dir>', 'backup directory (default: <data dir>/backups)')
    .option('--date <day>', 'the day to back up: YYYY-MM-DD, yesterday or today', 'yesterday')
    .addOption(new Option('--format <format>', 'file format').choices(BACKUP_FORMATS).default('json'))
    .option(
      '--keep <days>',
      'remove backups dated more than this many days before the backed-up day',
      integerInRange('--keep', 0, 100_000),
    )
    .addHelpText(
      'after',
      examples(
        '$ audit backup run                                   # yesterday, into the data directory',
        '$ audit backup run --dir /var/backups/audit --keep 90',
        '$ audit backup run --date 2024-01-31 --format csv',
        '$ sha256sum -c ~/.local/share/audit/backups/audit-logs-2024-01-31.json.sha256',
      ),
    )
    .action(async (options: RunOptions, command: Command) => {
      const session = await openSession(context, command);
      const date = backupDay(options.date, session.zone, context.now());
      const dir = resolve(options.dir ?? join(dataDir(context.env), 'backups'));
      const [
        { runBackup },
        { BackupLockedError },
        { BackupDirError },
        { RETRY_ATTEMPTS },
        { toCliError },
        { ProofMismatchError },
      ] = await Promise.all([
        import('../../backup/run.js'),
        import('../../backup/backup-lock.js'),
        import('../../backup/backup-dir.js'),
        import('../../client/retry.js'),
        import('../to-cli-error.js'),
        import('../../export/proof/write-proof.js'),
      ]);
      const connection = await session.connection();
      if (!connection.token) throw notLoggedIn(context, connection.profile);
      const client = await session.client({ attempts: RETRY_ATTEMPTS.bulk });
      const stop = new AbortController();
      void context.interrupted.then(() => stop.abort());
      // Stopped by a signal, whatever the aborted work ended with: one line, 128 + the signal.
      const stopped = () => {
        const signal =
          context.signal.reason instanceof InterruptedError ? context.signal.reason.signal : 'SIGINT';
        const code = signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
        return new CliError(`backup of ${date} interrupted by ${signal}; nothing was written`, code);
      };
      try {
        const result = await runBackup({
          client,
          dir,
          date,
          format: options.format,
          zone: session.zone,
          keep: options.keep,
          signal: stop.signal,
          now: context.now,
        }).catch((error: unknown) => {
          if (stop.signal.aborted) throw stopped();
          if (error instanceof BackupDirError) throw new UsageError(error.message, { cause: error });
          if (error instanceof BackupLockedError)
            throw new CliError(`backup of ${date} skipped: ${error.message}`, EXIT.failure);
          if (error instanceof ProofMismatchError)
            throw new CliError(
              `backup of ${date} failed: tampered: the server's proof does not prove what it sent: ${error.problems[0]}`,
              EXIT.tampered,
            );
          throw toCliError(error, { prefix: `backup of ${date} failed: ` }) ?? asFileFailure(error, date);
        });
        if (result.status === 'interrupted') {
          if (result.interrupted?.cause === 'signal') throw stopped();
          throw new CliError(
            `backup of ${date} failed: ${result.interrupted?.reason}; nothing was written`,
            EXIT.failure,
          );
        }
        // Quiet for cron: a success says nothing unless someone is watching, or its proof was skipped.
        if (result.proofSkipped) writeLine(context.stderr, `backup of ${date}: ${result.proofSkipped}`);
        if (!context.stderr.isTTY) return;
        const pruned = result.removed.length > 0 ? `; removed ${result.removed.length} old backup files` : '';
        if (result.status === 'unchanged') {
          writeLine(context.stderr, `${date} is already backed up: ${result.file} (checksum valid)${pruned}`);
        } else {
          const proof = result.proof ? `, proved by ${result.proof}` : '';
          writeLine(
            context.stderr,
            `Backed up ${result.count} events of ${date} to ${result.file}${proof}${pruned}`,
          );
        }
      } finally {
        await client.close();
      }
    });
}

/** YYYY-MM-DD, yesterday or today, in the display zone. */
function backupDay(text: string, zone: string, now: number): string {
  const value = text.trim().toLowerCase();
  if (value === 'yesterday' || value === 'today')
    return addDays(formatDate(now, zone), value === 'today' ? 0 : -1);
  if (!parseDateText(value))
    throw new UsageError(`--date: "${text}" is not a day; use YYYY-MM-DD, yesterday or today`);
  return value;
}

/** A file system error (a full disk, a directory not writable) is a failed backup, exit 1. */
function asFileFailure(error: unknown, date: string): unknown {
  if (!(error instanceof Error) || (error as NodeJS.ErrnoException).code === undefined) return error;
  return new CliError(`backup of ${date} failed: ${error.message}`, EXIT.failure, { cause: error });
}

/**
 * No token for the job: it names the file it looked in, since the usual cause is a cron job whose
 * HOME (and so config directory) is not the one `audit login` wrote to.
 */
function notLoggedIn(context: CliContext, profile: string): AuthError {
  const file = configFileIn(configDir(context.env));
  const login = profile === 'default' ? 'audit login' : `audit login --profile ${profile}`;
  return new AuthError(
    `not logged in: no token for profile "${profile}" in ${file}; run \`${login}\` as the user the job runs as, or set AUDIT_TOKEN_FILE`,
  );
}
