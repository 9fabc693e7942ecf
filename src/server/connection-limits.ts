import type { ServerOptions } from 'node:http';

export interface ConnectionLimits {
  /** Time a client has to send its request headers; default 10 s. */
  headersTimeoutMs?: number;
  /** Time a client has to send its whole request (not to read the answer); default 60 s. */
  requestTimeoutMs?: number;
  /** Open connections beyond which new ones are dropped; default 1000. */
  maxConnections?: number;
}

export const DEFAULT_CONNECTION_LIMITS: Required<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxConnections: 1000,
};

/**
 * The Node HTTP server settings that keep slow or numerous clients from holding the server:
 * Node's defaults let a client dribble its headers for a minute, checked only every 30 s.
 * Both timeouts cover receiving the request; a long answer such as an event stream is not cut
 * (test/server/stream-limits.test.ts holds a stream past the request timeout).
 */
export function httpServerOptions(limits: ConnectionLimits): {
  http: ServerOptions;
  requestTimeout: number;
} {
  const { headersTimeoutMs, requestTimeoutMs } = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  return {
    http: {
      headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
      // How often Node looks for connections past either timeout.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.ceil(headersTimeoutMs / 4))),
    },
    requestTimeout: requestTimeoutMs,
  };
}

export function maxConnectionsOf(limits: ConnectionLimits): number {
  return limits.maxConnections ?? DEFAULT_CONNECTION_LIMITS.maxConnections;
}
