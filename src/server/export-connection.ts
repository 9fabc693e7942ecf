import type { ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * An export stream's hijacked response: writes that tell when the socket is full, waits that end
 * early when the client goes or the server cuts the stream, and one end however it comes.
 */
export interface ExportConnection {
  /** The client went away, or the stream was cut or ended: nothing more is read or sent. */
  readonly closed: boolean;
  /** Writes, unless closed; false when the socket's buffer is full (wait for `drained`). */
  write(data: string | Buffer): boolean;
  /**
   * Resolves once the socket has taken what is buffered, or the connection closed; a reader that
   * takes nothing for the stall timeout is cut.
   */
  drained(): Promise<void>;
  /** Resolves after `ms`, or as soon as the connection closes. */
  pause(ms: number): Promise<void>;
  /** The last line, then the end of the response. */
  end(text: string): void;
  /** Ends the response at once, without the end line: the client sees a cut stream. */
  cut(): void;
}

/** How long a full socket may wait for its reader before the stream is cut (and its slot freed). */
export const DEFAULT_EXPORT_STALL_TIMEOUT_MS = 120_000;

/** How long a quiet connection waits before TCP keep-alive probes ask whether its peer is still there. */
const KEEP_ALIVE_DELAY_MS = 30_000;

/**
 * Opens `raw` as an export stream. `onClose` runs once, however the stream ends: `completed`
 * when it ended with its last line, not when it was cut or its client went.
 */
export function openExportConnection(
  raw: ServerResponse,
  onClose: (outcome: { completed: boolean }) => void,
  stallTimeoutMs = DEFAULT_EXPORT_STALL_TIMEOUT_MS,
): ExportConnection {
  let closed = false;
  let completed = false;
  const wakers = new Set<() => void>();
  const close = () => {
    if (closed) return;
    closed = true;
    for (const wake of [...wakers]) wake();
    onClose({ completed });
  };
  /** A promise settled by `settle(resolve)` or by the connection closing, whichever is first. */
  const until = (settle: (done: () => void) => () => void) =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      let undo = () => {};
      const done = () => {
        wakers.delete(done);
        undo();
        resolve();
      };
      wakers.add(done);
      undo = settle(done);
    });

  raw.on('close', close);
  // A peer that vanished without a word (a dead host, a dropped NAT entry) is found out.
  // (An injected request's stand-in socket has no TCP to probe.)
  if (raw.socket instanceof Socket) raw.socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  const connection: ExportConnection = {
    get closed() {
      return closed;
    },
    write(data) {
      if (closed) return true;
      return raw.write(data);
    },
    drained() {
      if (raw.writableLength === 0) return Promise.resolve();
      return until((done) => {
        raw.once('drain', done);
        const stalled = setTimeout(() => connection.cut(), stallTimeoutMs);
        return () => {
          raw.off('drain', done);
          clearTimeout(stalled);
        };
      });
    },
    pause(ms) {
      return until((done) => {
        const timer = setTimeout(done, ms);
        return () => clearTimeout(timer);
      });
    },
    end(text) {
      if (closed) return;
      completed = true;
      raw.end(text);
      close();
    },
    cut() {
      if (closed) return;
      close();
      raw.destroy();
    },
  };
  // A client gone before the stream opened sends no 'close' any more.
  if (raw.destroyed) close();
  return connection;
}
