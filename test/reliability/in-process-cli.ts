import { PassThrough } from 'node:stream';
import type { CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/main.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Pretend stdout is a terminal (table output, colours unless NO_COLOR). */
  tty?: boolean;
  /** Resolves the context's `interrupted` promise after this many ms (Ctrl-C for `tail`). */
  interruptAfterMs?: number;
}

/** The whole CLI in-process, with captured streams: far cheaper than spawning bin/audit.js. */
export async function runInProcess(args: string[], options: InProcessOptions = {}): Promise<InProcessResult> {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  const stderr = new PassThrough();
  if (options.tty) {
    stdout.isTTY = true;
    stdout.columns = 200;
  }
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const stdin = new PassThrough();
  stdin.end(options.input ?? '');
  const stop = new AbortController();
  const context: CliContext = {
    stdout,
    stderr,
    stdin,
    env: { AUDIT_CONFIG_DIR: '/nonexistent/audit-test', NO_COLOR: '1', ...options.env },
    now: Date.now,
    interrupted:
      options.interruptAfterMs === undefined
        ? new Promise(() => {})
        : new Promise((resolve) =>
            setTimeout(() => {
              resolve('SIGINT');
              stop.abort();
            }, options.interruptAfterMs),
          ),
    signal: stop.signal,
  };
  const code = await run(args, context);
  return { code, stdout: out, stderr: err };
}
