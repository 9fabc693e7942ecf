/**
 * The built CLI in a real pseudo-terminal of a given size, through util-linux `script`: stdout and
 * stderr are a TTY with `columns` × `rows`, and what a test types arrives as keystrokes (a "\x03"
 * is Ctrl-C, turned into SIGINT by the terminal's line discipline, as for a person).
 */
import { spawn } from 'node:child_process';
import { shellCommand, singleQuoted } from '../../src/format/shell-quote.js';
import { BIN } from './cli.js';

export interface TerminalOptions {
  env: NodeJS.ProcessEnv;
  columns?: number;
  rows?: number;
  cwd?: string;
  /** Killed (with its whole terminal) after this long; `done` then settles with code null. */
  killAfterMs?: number;
}

export interface TerminalRun {
  /** Everything the terminal showed so far, with "\r\n" turned into "\n". */
  output(): string;
  /** Types `text` into the terminal ("\r" is Enter, "\x03" Ctrl-C). */
  type(text: string): void;
  /** Resolves once the output matches `pattern`; rejects after `timeoutMs` with what was shown. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly done: Promise<{ code: number | null; output: string }>;
}

/** Starts `audit ARGS` in a terminal `columns` wide (default 80) and `rows` high (default 24). */
export function runInTerminal(args: readonly string[], options: TerminalOptions): TerminalRun {
  const columns = options.columns ?? 80;
  const rows = options.rows ?? 24;
  const command = `stty cols ${columns} rows ${rows}; exec ${shellCommand([process.execPath, BIN, ...args], singleQuoted)}`;
  // A person's terminal: without CI in the environment, which turns spinners off (is-interactive).
  const { CI: _ci, ...env } = options.env;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...env, COLUMNS: String(columns), LINES: String(rows) },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let shown = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    shown += chunk.replace(/\r\n/g, '\n');
    for (const watch of watchers) watch();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    shown += chunk;
  });
  const timer =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  const done = new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const watch of watchers) watch();
      resolve({ code, output: shown });
    });
  });
  return {
    output: () => shown,
    type(text) {
      child.stdin.write(text);
    },
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(shown)) {
            watchers.delete(check);
            clearTimeout(timeout);
            resolve(shown);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(check);
            clearTimeout(timeout);
            reject(new Error(`the terminal closed before ${pattern} appeared; it showed:\n${shown}`));
          }
        };
        const timeout = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`${pattern} did not appear in ${timeoutMs} ms; the terminal showed:\n${shown}`));
        }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    done,
  };
}
