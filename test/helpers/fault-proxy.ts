import { createServer, request as forward, type IncomingHttpHeaders, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  headers: IncomingHttpHeaders;
  /** What the proxy did with it. */
  outcome: 'passed' | 'failed' | 'dropped' | 'held';
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
  /** Forget the recorded requests (faults still queued stay queued). */
  reset(): void;
  close(): Promise<void>;
}

interface Fault {
  remaining: number;
  pathPattern: RegExp | undefined;
  act: 'fail' | 'drop' | 'hold';
  fail?: FailOptions;
  hold?: { arrive(): void; released: Promise<void>; answered(): void };
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
      const { status, retryAfter, detail } = fault.fail;
      req.resume();
      res.writeHead(status, {
        'content-type': 'application/problem+json',
        ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }),
      });
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
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    };
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
