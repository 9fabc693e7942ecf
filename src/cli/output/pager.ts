import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface PagerSetup {
  env: NodeJS.ProcessEnv;
  stdout: { isTTY?: boolean };
}

export interface Pager {
  /** Write the output here, then end it. */
  stream: NodeJS.WritableStream;
  /** Resolves when the pager has exited (the user quit it, or it reached the end). */
  done: Promise<void>;
}

const DEFAULT_PAGER = 'less -FRX';

/** The pager command to use, or undefined for none (`AUDIT_PAGER=cat` or an empty value). */
export function pagerCommand(env: NodeJS.ProcessEnv): string | undefined {
  const command = (env.AUDIT_PAGER ?? env.PAGER ?? DEFAULT_PAGER).trim();
  return command === '' || command === 'cat' ? undefined : command;
}

/**
 * Starts the pager when stdout is a terminal. Returns undefined when there is no pager to use or
 * it cannot be started, so the caller simply writes to stdout.
 */
export function startPager({ env, stdout }: PagerSetup): Pager | undefined {
  if (stdout.isTTY !== true) return undefined;
  const command = pagerCommand(env);
  if (!command) return undefined;
  // Skip leading `NAME=value` assignments, as a shell would.
  const program = command.split(/\s+/).find((word) => !/^\w+=/.test(word)) ?? command;
  // A missing pager only shows up asynchronously (ENOENT, or exit 127 from a shell): look first.
  if (!isQuoted(program) && !findExecutable(program, env)) return undefined;
  try {
    const child = spawn(command, {
      stdio: ['pipe', 'inherit', 'inherit'],
      shell: /\s/.test(command),
      // As git and gh do: colours pass through, short output does not wait for `q`.
      env: { ...env, LESS: env.LESS ?? 'FRX', LV: env.LV ?? '-c' },
    });
    const stream = child.stdin;
    if (!stream) return undefined;
    const done = new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    });
    return { stream, done };
  } catch {
    return undefined;
  }
}

/** Page only what does not fit on one screen (the prompt line included). */
export function shouldPage(lineCount: number, terminalRows: number | undefined): boolean {
  if (terminalRows === undefined || terminalRows <= 0) return false;
  return lineCount >= terminalRows;
}

function isQuoted(program: string): boolean {
  return /^["']/.test(program);
}

function findExecutable(program: string, env: NodeJS.ProcessEnv): boolean {
  const candidates =
    isAbsolute(program) || program.includes('/')
      ? [program]
      : (env.PATH ?? '')
          .split(delimiter)
          .filter((directory) => directory !== '')
          .map((directory) => join(directory, program));
  const extensions = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
  return candidates.some((candidate) =>
    extensions.some((extension) => {
      try {
        accessSync(candidate + extension, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}
