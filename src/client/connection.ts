import { setTimeout as delay } from 'node:timers/promises';
import type { Agent } from 'undici';
import type { AuditClientOptions } from './client-options.js';
import type { Transport } from './http.js';
import { RETRY_ATTEMPTS } from './retry.js';
import { defaultUserAgent, parseServer } from './setup.js';
import { undici } from './undici.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** What every call of one client shares: the server, its connection pool, retries, headers. */
export interface Connection {
  base: URL;
  /** The server's URL without a trailing slash, as messages name it. */
  server: string;
  agent: Agent;
  transport: Transport;
  headers: Record<string, string>;
}

export function openConnection(options: AuditClientOptions): Connection {
  const base = parseServer(options.server);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agent = new (undici().Agent)({
    connectTimeout: Math.min(timeoutMs, CONNECT_TIMEOUT_MS),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return {
    base,
    server: base.href.replace(/\/+$/, ''),
    agent,
    transport: {
      dispatcher: agent,
      attempts: Math.max(1, options.attempts ?? RETRY_ATTEMPTS.interactive),
      token: options.token,
      sleep: options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
      random: options.random ?? Math.random,
      trace: options.trace,
      onRetry: options.onRetry,
    },
    headers: {
      accept: 'application/json',
      'user-agent': options.userAgent ?? defaultUserAgent(),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
  };
}
