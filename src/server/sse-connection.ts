import type { ServerResponse } from 'node:http';

/** How long a stream ended for a reason has to deliver its last comment before the socket goes. */
const GOODBYE_MS = 1000;

export interface SseConnection {
  /**
   * Writes, unless ended; a stream whose unsent bytes then pass the bound is cut off (its
   * client resumes with Last-Event-ID, and loses nothing).
   */
  write(chunk: string | Buffer): void;
  /** Writes a backlog page, however large, unless what was written before is still unsent. */
  writePaced(chunk: string | Buffer): void;
  /** Resolves once the client has taken most of what is buffered, or the connection ended. */
  drained(): Promise<void>;
  /** Ends the stream; with a reason, a last SSE comment tells the client why. */
  end(reason?: string): void;
  readonly ended: boolean;
  /** Bytes written but not yet taken by the socket. */
  readonly buffered: number;
}

/**
 * One open event stream on a hijacked response: bounded buffering, a heartbeat, and one end
 * however it comes (client gone, server closing, access lost, client too slow).
 */
export function openSseConnection(
  raw: ServerResponse,
  options: { maxBufferedBytes: number; heartbeatIntervalMs: number; onEnd: () => void },
): SseConnection {
  let ended = false;
  const heartbeat = setInterval(() => connection.write(': heartbeat\n\n'), options.heartbeatIntervalMs);
  heartbeat.unref();
  const connection: SseConnection = {
    get ended() {
      return ended;
    },
    get buffered() {
      return raw.writableLength;
    },
    write(chunk) {
      if (ended) return;
      raw.write(chunk);
      // Cut off rather than buffered for; destroying the socket frees what it held at once.
      if (raw.writableLength > options.maxBufferedBytes) connection.end();
    },
    writePaced(chunk) {
      if (ended) return;
      // A page is taken whole from a client that has taken the pages before it (see drained);
      // one that has not is cut off as above.
      if (raw.writableLength > options.maxBufferedBytes) connection.end();
      else raw.write(chunk);
    },
    drained() {
      if (ended || raw.writableLength === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          raw.off('drain', done);
          raw.off('close', done);
          resolve();
        };
        raw.once('drain', done);
        raw.once('close', done);
      });
    },
    end(reason) {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      options.onEnd();
      if (reason !== undefined && raw.writableLength === 0) {
        // A comment, not an event: a client shows nothing, and a reconnect gets the real answer.
        raw.end(`: closed: ${reason}\n\n`);
        setTimeout(() => raw.destroy(), GOODBYE_MS).unref();
        return;
      }
      // Otherwise drop the socket at once: a shutting-down server must not wait on a client that
      // may already be gone, nor keep a slow one's backlog. The client resumes with Last-Event-ID.
      raw.end();
      raw.destroy();
    },
  };
  raw.on('close', () => connection.end());
  // A client gone before the stream opened sends no 'close' any more; its place must still go.
  if (raw.destroyed) connection.end();
  return connection;
}
