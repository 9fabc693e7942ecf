/**
 * Failures of reaching PostgreSQL rather than of the request: the connection was ended under it
 * (a failover, a restart, an administrator), the server is starting or stopping, or it has no
 * connection slot left. The request did not happen, or its transaction was rolled back whole, so
 * the API answers 503 with Retry-After, as for a lock wait: the client sends it again.
 */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]$|53300$)/;
/** The driver's and the socket's words for a connection that is gone or cannot be made. */
const UNAVAILABLE_SOCKETS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const CONNECTION_ENDED = /^Connection terminated|^Client was closed and is not queryable/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_SOCKETS.has(code)))
    return true;
  return code === undefined && CONNECTION_ENDED.test(error.message);
}
