import { InterruptedError } from '../domain/interrupted.js';

/** What every command receives: the outside world, passed in so tests can stand in for it. */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); long-running commands await it. */
  interrupted: Promise<NodeJS.Signals>;
  /**
   * Aborted by the same first SIGINT/SIGTERM, just after `interrupted` resolves: every client the
   * session makes carries it, so a request in flight ends at once, in any command.
   */
  signal: AbortSignal;
}

export function processContext(): CliContext {
  const stop = new AbortController();
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Node makes process.stdin on first read of it (a socket for a pipe, loading node:net): only
    // for the commands that read it or ask whether it is a terminal.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    now: Date.now,
    interrupted: interruption(stop),
    signal: stop.signal,
  };
}

// A repeat within this window is an echo, not a person pressing Ctrl-C again.
const ECHO_WINDOW_MS = 500;

/**
 * The first SIGINT/SIGTERM asks long-running commands to finish gracefully; a second one, a
 * moment later, forces the exit. Listeners stay installed (`on`, not `once`) because libraries
 * such as conf's atomic writer re-raise a signal they saw, which would otherwise kill the
 * process in the middle of a graceful shutdown.
 */
function interruption(stop: AbortController): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      const now = Date.now();
      if (firstAt === undefined) {
        firstAt = now;
        // Resolved first: a command that stops on `interrupted` (export, import, tail) has
        // aborted its own work before the aborted requests reach its error handling.
        resolve(signal);
        stop.abort(new InterruptedError(signal));
      } else if (now - firstAt > ECHO_WINDOW_MS) {
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}
