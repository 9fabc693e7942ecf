import type { ServerResponse } from 'node:http';

/**
 * An export stream's hijacked response: writes that tell when the socket is full, waits that end
 * early when the client goes or the server cuts the stream, and one end however it comes.
 */
export interface ExportConnection {
  /** The client went away, or the stream was cut or ended: nothing more is read or sent. */
  readonly closed: boolean;
  /** Writes, unless closed; false when the socket's buffer is full (wait for `drained`). */
  write(data: string | Buffer): boolean;
  /** Resolves once the socket has taken what is buffered, or the connection closed. */
  drained(): Promise<void>;
  /** Resolves after `ms`, or as soon as the connection closes. */
  pause(ms: number): Promise<void>;
  /** The last line, then the end of the response. */
  end(text: string): void;
  /** Ends the response at once, without the end line: the client sees a cut stream. */
  cut(): void;
}

export function openExportConnection(raw: ServerResponse, onClose: () => void): ExportConnection {
  let closed = false;
  const wakers = new Set<() => void>();
  const close = () => {
    if (closed) return;
    closed = true;
    for (const wake of [...wakers]) wake();
    onClose();
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
        return () => raw.off('drain', done);
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
