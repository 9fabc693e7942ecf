import {
  createServer,
  request as forward,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  headers: IncomingHttpHeaders;
  /** What the proxy did with it. */
  outcome: 'passed' | 'failed' | 'dropped' | 'held' | 'cut' | 'stalled';
}

export interface StreamFaultOptions {
  /** Only requests whose path (and query) match; others pass through and do not count. */
  pathPattern?: RegExp;
  /** Whole lines of the answer's body passed on before the fault… */
  afterLines: number;
  /** …and this many bytes of the next line (a cut mid-row); default none. */
  extraBytes?: number;
}

export interface FailOptions {
  /** 429, 502, 503… */
  status: number;
  /** The Retry-After header to send, in seconds ('0', '1') or as an HTTP date. */
  retryAfter?: string;
  /** Only requests whose path (and query) match are failed; others pass through and do not count. */
  pathPattern?: RegExp;
  /** The problem document's detail. */
  detail?: string;
  /** Another answer than a problem document: this body, of this media type (a proxy's login page). */
  body?: { contentType: string; text: string };
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT; use it as the client's server. */
  url: string;
  /** Every request the proxy received, in order. */
  requests: SeenRequest[];
  /** Answer the next `count` (matching) requests with `status` and a problem document. */
  failNext(count: number, options: FailOptions): void;
  /** Destroy the connection of the next `count` (matching) requests without answering. */
  dropNext(count: number, options?: { pathPattern?: RegExp }): void;
  /**
   * Hold the next `count` (matching) requests until `release()`; `arrived` resolves once the
   * first of them is waiting; `release()` resolves once the server has answered the first (its
   * status line and headers). Lets a test decide what the server has seen before they reach it.
   */
  holdNext(
    count: number,
    options?: { pathPattern?: RegExp },
  ): { arrived: Promise<void>; release(): Promise<void> };
  /**
   * Pass the status, headers and the first lines of the next `count` (matching) answers, then
   * destroy the connection: a stream cut mid-way (mid-row with `extraBytes`).
   */
  cutNext(count: number, options: StreamFaultOptions): void;
  /**
   * Pass the first lines of the next `count` (matching) answers, then nothing more while both
   * connections stay open (until the client goes); `arrived` resolves once `count` have stalled.
   */
  stallNext(count: number, options: StreamFaultOptions): { arrived: Promise<void> };
  /** Forget the recorded requests (faults still queued stay queued). */
  reset(): void;
  close(): Promise<void>;
}

interface Fault {
  remaining: number;
  pathPattern: RegExp | undefined;
  act: 'fail' | 'drop' | 'hold' | 'cut' | 'stall';
  fail?: FailOptions;
  hold?: { arrive(): void; released: Promise<void>; answered(): void };
  stream?: StreamFaultOptions & { arrive(): void };
}

/**
 * A local HTTP proxy in front of `targetUrl` that injects faults on demand (error answers,
 * dropped connections) and passes everything else through, streams included.
 */
export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const requests: SeenRequest[] = [];
  const faults: Fault[] = [];

  const nextFault = (path: string): Fault | undefined => {
    const fault = faults.find((f) => f.remaining > 0 && (!f.pathPattern || f.pathPattern.test(path)));
    if (fault) fault.remaining--;
    return fault;
  };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      url: path,
      headers: req.headers,
      outcome: 'passed',
    };
    requests.push(seen);
    const fault = nextFault(path);
    if (fault?.act === 'drop') {
      seen.outcome = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.fail) {
      seen.outcome = 'failed';
      const { status, retryAfter, detail, body } = fault.fail;
      req.resume();
      res.writeHead(status, {
        'content-type': body?.contentType ?? 'application/problem+json',
        ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }),
      });
      if (body) {
        res.end(body.text);
        return;
      }
      res.end(
        JSON.stringify({
          type: 'https://audit.dev/problems/injected',
          title: STATUS_CODES[status] ?? 'Injected failure',
          status,
          detail: detail ?? `injected by the fault proxy`,
        }),
      );
      return;
    }
    const pass = (answered = () => {}) => {
      const upstream = forward(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path,
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answered();
          if (fault?.stream) passUntil(answer, res, fault.act === 'cut', fault.stream);
          else answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    };
    if (fault?.stream) seen.outcome = fault.act === 'cut' ? 'cut' : 'stalled';
    if (fault?.hold) {
      seen.outcome = 'held';
      fault.hold.arrive();
      const { released, answered } = fault.hold;
      void released.then(() => pass(answered));
      return;
    }
    pass();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, options) {
      faults.push({ remaining: count, pathPattern: options.pathPattern, act: 'fail', fail: options });
    },
    dropNext(count, options = {}) {
      faults.push({ remaining: count, pathPattern: options.pathPattern, act: 'drop' });
    },
    holdNext(count, options = {}) {
      let arrive = () => {};
      let release = () => {};
      let answered = () => {};
      const arrived = new Promise<void>((resolve) => {
        arrive = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const answer = new Promise<void>((resolve) => {
        answered = resolve;
      });
      const hold = { arrive, released, answered };
      faults.push({ remaining: count, pathPattern: options.pathPattern, act: 'hold', hold });
      return {
        arrived,
        release() {
          release();
          return answer;
        },
      };
    },
    cutNext(count, options) {
      const stream = { ...options, arrive: () => {} };
      faults.push({ remaining: count, pathPattern: options.pathPattern, act: 'cut', stream });
    },
    stallNext(count, options) {
      let arrive = () => {};
      let waiting = count;
      const arrived = new Promise<void>((resolve) => {
        arrive = () => {
          if (--waiting === 0) resolve();
        };
      });
      const stream = { ...options, arrive };
      faults.push({ remaining: count, pathPattern: options.pathPattern, act: 'stall', stream });
      return { arrived };
    },
    reset() {
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Passes `answer`'s body to `res` up to `afterLines` lines and `extraBytes` more; then destroys
 * the connection (`cut`) or passes nothing more until the client goes (a stall).
 */
function passUntil(
  answer: IncomingMessage,
  res: ServerResponse,
  cut: boolean,
  options: StreamFaultOptions & { arrive(): void },
): void {
  let lines = 0;
  let extra = options.extraBytes ?? 0;
  let stopped = false;
  const stop = () => {
    options.arrive();
    if (cut) {
      answer.destroy();
      res.socket?.destroy();
    } else {
      // Stalled: the server's answer is held open, unread, until the client goes.
      answer.pause();
    }
  };
  answer.on('data', (bytes: Buffer) => {
    if (stopped) return;
    let end = 0;
    while (lines < options.afterLines && end < bytes.length) {
      const newline = bytes.indexOf(0x0a, end);
      if (newline === -1) {
        end = bytes.length;
        break;
      }
      end = newline + 1;
      lines++;
    }
    if (lines >= options.afterLines) {
      const more = Math.min(extra, bytes.length - end);
      extra -= more;
      end += more;
    }
    stopped = lines >= options.afterLines && extra === 0;
    if (end > 0) res.write(bytes.subarray(0, end), stopped ? stop : undefined);
    else if (stopped) stop();
  });
  answer.on('end', () => {
    if (!stopped) res.end();
  });
}
