/**
 * The crontab line `audit backup schedule` manages, as pure text functions: building it, finding,
 * replacing and removing it in a crontab, reading it back, and when it runs next. Nothing here
 * runs `crontab`, so all of it is tested without one.
 */

import { shellQuote } from '../format/shell-quote.js';
import type { BackupFormat } from './backup-files.js';

export interface ScheduleTime {
  hour: number;
  minute: number;
}

/** What one scheduled backup runs: absolute paths only, since cron's PATH and env are minimal. */
export interface BackupJob {
  profile: string;
  at: ScheduleTime;
  dir: string;
  format?: BackupFormat | undefined;
  keep?: number | undefined;
  nodePath: string;
  binPath: string;
  /** Set in front of the command (AUDIT_CONFIG_DIR, AUDIT_TOKEN_FILE): cron does not pass the user's env. */
  env?: Record<string, string>;
}

const MARKER = 'audit-backup profile=';
const MARKED = /(?:^|\s)#\s*audit-backup profile=(\S+)\s*$/;

/** `HH:MM` (or `H:MM`) on a 24-hour clock; undefined when it is not a time of day. */
export function parseAt(text: string): ScheduleTime | undefined {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

export function formatAt({ hour, minute }: ScheduleTime): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** Profile names that can stand unquoted in the marker comment and in every printed form. */
export function isMarkableProfile(profile: string): boolean {
  return /^[A-Za-z0-9][\w.@-]*$/.test(profile);
}

export function markerComment(profile: string): string {
  return `# ${MARKER}${profile}`;
}

/** The arguments after `node bin/audit.js`, shared by every printed form. */
export function backupArgs(job: Pick<BackupJob, 'profile' | 'dir' | 'format' | 'keep'>): string[] {
  const args = ['--profile', job.profile, 'backup', 'run', '--dir', job.dir];
  if (job.format) args.push('--format', job.format);
  if (job.keep !== undefined) args.push('--keep', String(job.keep));
  return args;
}

export function logFile(dir: string): string {
  return `${dir.replace(/\/+$/, '')}/backup.log`;
}

/**
 * `M H * * * [VAR=value …] node bin/audit.js --profile P backup run --dir DIR … >> DIR/backup.log 2>&1 # marker`.
 * cron turns an unescaped `%` into a newline before sh sees the command, hence `\%`.
 */
export function buildCronLine(job: BackupJob): string {
  const words = [
    ...Object.entries(job.env ?? {}).map(([name, value]) => `${name}=${shellQuote(value)}`),
    shellQuote(job.nodePath),
    shellQuote(job.binPath),
    ...backupArgs(job).map(shellQuote),
    '>>',
    shellQuote(logFile(job.dir)),
    '2>&1',
  ];
  const command = words.join(' ');
  if (/[\r\n]/.test(command)) throw new RangeError('a crontab line cannot hold a newline');
  return `${job.at.minute} ${job.at.hour} * * * ${command.replace(/%/g, '\\%')} ${markerComment(job.profile)}`;
}

/** The profile a crontab line is marked with, if it is one of ours. */
export function markedProfile(line: string): string | undefined {
  return MARKED.exec(line)?.[1];
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

function joinLines(lines: string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The line marked for `profile`, or undefined. */
export function findMarkedLine(crontab: string, profile: string): string | undefined {
  return splitLines(crontab).find((line) => markedProfile(line) === profile);
}

/**
 * The crontab with `line` as the only one marked for `profile`: it takes the place of the first
 * marked line (or goes at the end); every other line is kept exactly as it was.
 */
export function replaceMarkedLine(crontab: string, profile: string, line: string): string {
  const result: string[] = [];
  let placed = false;
  for (const existing of splitLines(crontab)) {
    if (markedProfile(existing) !== profile) result.push(existing);
    else if (!placed) {
      result.push(line);
      placed = true;
    }
  }
  if (!placed) result.push(line);
  return joinLines(result);
}

/** The crontab without the lines marked for `profile`, and how many there were. */
export function removeMarkedLine(crontab: string, profile: string): { text: string; removed: number } {
  const lines = splitLines(crontab);
  const kept = lines.filter((line) => markedProfile(line) !== profile);
  const removed = lines.length - kept.length;
  return { text: removed === 0 ? crontab : joinLines(kept), removed };
}

export interface ParsedLine {
  at: ScheduleTime | undefined;
  dir: string | undefined;
  format: string | undefined;
  /** Commented out by hand: cron will not run it. */
  disabled: boolean;
}

/** Reads back what a marked line does: its time (when it is a plain `M H * * *`) and its --dir. */
export function parseCronLine(line: string): ParsedLine {
  const disabled = /^\s*#/.test(line);
  const body = line.replace(/^\s*#\s*/, '').replace(MARKED, '');
  const fields = body.trim().split(/\s+/);
  const [minute, hour, day, month, weekday] = fields;
  const plain = /^\d{1,2}$/;
  const at =
    minute && hour && plain.test(minute) && plain.test(hour) && [day, month, weekday].every((f) => f === '*')
      ? { minute: Number(minute), hour: Number(hour) }
      : undefined;
  // cron itself turns `\%` back into `%` before sh reads the command.
  const words = shellWords(body.replace(/^\s*(?:\S+\s+){5}/, '').replace(/\\%/g, '%'));
  const argument = (flag: string) => {
    const index = words.indexOf(flag);
    return index >= 0 ? words[index + 1] : undefined;
  };
  const valid = at && at.minute < 60 && at.hour < 24 ? at : undefined;
  return { at: valid, dir: argument('--dir'), format: argument('--format'), disabled };
}

/** Enough of sh's word splitting to read back our own line: bare words, '…' and \x. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let index = 0; index < command.length; index += 1) {
    const char = command.charAt(index);
    if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "'") {
      const end = command.indexOf("'", index + 1);
      const stop = end < 0 ? command.length : end;
      word = (word ?? '') + command.slice(index + 1, stop);
      index = stop;
    } else if (char === '\\' && index + 1 < command.length) {
      index += 1;
      word = (word ?? '') + command.charAt(index);
    } else word = (word ?? '') + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** When `M H * * *` runs next after `now`, in the machine's local time (cron's). */
export function nextRun(at: ScheduleTime, now: Date): Date {
  const day = (offset: number) =>
    new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset, at.hour, at.minute, 0, 0);
  const today = day(0);
  return today.getTime() > now.getTime() ? today : day(1);
}

const pad = (value: number) => String(Math.abs(value)).padStart(2, '0');

/** `2025-01-16T02:00:00+01:00`: local wall time with its offset, as cron sees it. */
export function formatLocal(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day}T${time}${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** `in 13h 5m`, for a time less than a couple of days ahead. */
export function formatIn(milliseconds: number): string {
  const minutes = Math.max(0, Math.ceil(milliseconds / 60_000));
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `in ${hours}h ${minutes % 60}m` : `in ${minutes}m`;
}
