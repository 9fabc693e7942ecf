/**
 * `--save-checkpoint DIR`: the verified checkpoints of one log appended to a file outside the
 * server (for cron and git), each the signed note's whole text; the next verify checks the log
 * against the file's last one too. Named `<host>_<port>-<org>.checkpoints` from the server URL
 * and the organization (characters other than letters, digits, `.`, `-`, `_` become `_`).
 * DIR is made 0700 and the file 0600; a note is appended with one write, so the file is always
 * whole notes, one after another, each ending in its signature lines and a blank line.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function witnessFileName(server: string, org: string): string {
  let host: string;
  try {
    const url = new URL(server);
    host = url.port ? `${url.hostname}_${url.port}` : url.hostname;
  } catch {
    host = server;
  }
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return `${safe(host)}-${safe(org)}.checkpoints`;
}

export function witnessFilePath(dir: string, server: string, org: string): string {
  return join(dir, witnessFileName(server, org));
}

/** The notes in the file, oldest first; [] when there is no file. */
export function readWitnessNotes(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Each note ends with its last signature line and then the blank line we add between notes.
  return text
    .split(/\n\n(?=[^\n—])/)
    .map((note) => note.replace(/\n*$/, '\n'))
    .filter((note) => note.trim() !== '');
}

/** The file's last note; undefined when there is none. */
export function lastWitnessNote(path: string): string | undefined {
  return readWitnessNotes(path).at(-1);
}

/** Appends `note` (and a blank line) in one write, making DIR (0700) and the file (0600). */
export function appendWitnessNote(dir: string, path: string, note: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'a', 0o600);
  try {
    writeSync(fd, `${note}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
