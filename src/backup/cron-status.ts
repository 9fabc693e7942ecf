import { sanitizeForDisplay } from '../format/sanitize.js';
import { readCrontab } from './cron.js';
import { findMarkedLine, formatIn, formatLocal, logFile, nextRun, parseCronLine } from './cron-line.js';
import { type ChecksumState, describeLastBackup } from './status.js';

/** What `audit backup status` shows; `-o json` prints it as is. */
export interface StatusReport {
  profile: string;
  scheduled: boolean;
  /** The marked crontab line, as installed. */
  line: string | null;
  /** The line is there but commented out. */
  disabled: boolean;
  /** Local time with offset, e.g. 2025-01-16T02:00:00+01:00. */
  next_run: string | null;
  /** Why the crontab could not be read (no crontab command, …); the rest is still reported. */
  crontab_error: string | null;
  directory: string;
  log_file: string;
  last_backup: {
    file: string;
    path: string;
    date: string;
    format: string;
    size: number;
    modified: string;
    events: number;
    checksum: ChecksumState;
  } | null;
}

export interface StatusRequest {
  env: NodeJS.ProcessEnv;
  now: Date;
  profile: string;
  /** --dir, absolute; otherwise the installed line's --dir, else `defaultDir`. */
  dir: string | undefined;
  defaultDir: string;
}

export async function backupStatus(request: StatusRequest): Promise<StatusReport> {
  let line: string | undefined;
  let crontabError: string | null = null;
  try {
    line = findMarkedLine(await readCrontab(request.env), request.profile);
  } catch (error) {
    crontabError = (error as Error).message;
  }
  const parsed = line === undefined ? undefined : parseCronLine(line);
  const directory = request.dir ?? parsed?.dir ?? request.defaultDir;
  const next = parsed?.at && !parsed.disabled ? nextRun(parsed.at, request.now) : undefined;
  const last = await describeLastBackup(directory);
  return {
    profile: request.profile,
    scheduled: line !== undefined && !parsed?.disabled,
    line: line ?? null,
    disabled: parsed?.disabled ?? false,
    next_run: next ? formatLocal(next) : null,
    crontab_error: crontabError,
    directory,
    log_file: logFile(directory),
    last_backup: last ? { ...last, modified: last.modified.toISOString() } : null,
  };
}

const CHECKSUM_TEXT: Record<ChecksumState, string> = {
  ok: 'ok',
  mismatch: 'MISMATCH (the file does not match its .sha256)',
  missing: 'missing .sha256',
  invalid: 'unreadable .sha256 (not "HEX  name")',
};

export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

export function renderStatus(report: StatusReport, now: Date): string {
  const rows: [string, string][] = [['Profile', report.profile]];
  if (report.line === null) {
    rows.push(['Schedule', report.crontab_error ?? 'not scheduled (run audit backup schedule)']);
  } else {
    rows.push([
      'Schedule',
      report.disabled ? 'commented out in your crontab: it does not run' : 'installed in your crontab',
    ]);
    rows.push(['Line', report.line]);
  }
  if (report.next_run) {
    const inText = formatIn(new Date(report.next_run).getTime() - now.getTime());
    rows.push(['Next run', `${report.next_run} (${inText})`]);
  } else if (report.scheduled) rows.push(['Next run', 'not a daily M H * * * line: see Line']);
  rows.push(['Directory', report.directory], ['Log', report.log_file]);
  const last = report.last_backup;
  if (!last) rows.push(['Last backup', 'none yet']);
  else {
    rows.push(
      ['Last backup', `${last.file} (${last.date}, written ${last.modified})`],
      ['Size', formatSize(last.size)],
      ['Events', String(last.events)],
      ['Checksum', CHECKSUM_TEXT[last.checksum]],
    );
  }
  return rows.map(([label, value]) => `${`${label}:`.padEnd(13)}${sanitizeForDisplay(value)}`).join('\n');
}
