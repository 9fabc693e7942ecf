import type { Agent } from 'undici';
import { sanitizeForDisplay } from '../format/sanitize.js';
import { isPrivateHost, PRIVATE_ADDRESS_REFUSED } from './address-policy.js';
import { guardedConnector, PrivateAddressError, type Resolver } from './guarded-connect.js';
import { showsAnswer } from './known-receivers.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** How much of a chat service's answer is kept: enough to show what it said, never a whole page. */
export const ANSWER_PREVIEW_BYTES = 2048;
const USER_AGENT = 'audit-webhooks/1';
/** What any failure to get an answer says: refused, reset, timed out and unresolvable look alike. */
export const NO_ANSWER = 'the connection failed or timed out';

export interface Outgoing {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Strings that must not appear in an error message (the secret, the URL's path). */
  secrets: string[];
}

export interface SendResult {
  /** The HTTP status, or null when no answer came (connection refused, timeout…). */
  status: number | null;
  ok: boolean;
  /** A known chat service's answer (first 2 KB, control characters removed); '' for any other. */
  body: string;
  durationMs: number;
  /** One line, no secrets, no receiver's body unless a chat service's; null on a 2xx. */
  error: string | null;
}

export interface SenderOptions {
  timeoutMs?: number;
  /** Let webhooks reach loopback, private and link-local addresses (--webhook-allow-private). */
  allowPrivate?: boolean;
  /** Name resolution (dns.lookup unless a test stands in for DNS). */
  resolve?: Resolver;
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

/**
 * POSTs webhook bodies with undici: a timeout on connect, headers and body, no redirects
 * followed (undici's request follows none unless told to: the URL an admin entered is the only
 * place data goes), private addresses refused at connect time unless allowed, and what the
 * receiver said reported only as its status, unless it is a known chat service: an admin must
 * not be able to read internal pages, or tell a closed port from a silent one, through a webhook.
 */
export function createWebhookSender(options: SenderOptions = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stopping = new AbortController();
  // undici is loaded on the first send: most server starts never deliver a webhook. Its parts are
  // read from the default export, module.exports, which is all a bundled CommonJS module offers.
  let client: Promise<{ agent: Agent; request: typeof import('undici').request }> | undefined;
  const connect = () => {
    client ??= import('undici').then(({ default: { Agent, buildConnector, request } }) => ({
      agent: new Agent({
        connectTimeout: timeoutMs,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(options.allowPrivate
          ? {}
          : { connect: guardedConnector(buildConnector, timeoutMs, options.resolve) }),
      }),
      request,
    }));
    return client;
  };

  return {
    timeoutMs,
    allowPrivate: options.allowPrivate ?? false,
    async send(outgoing: Outgoing): Promise<SendResult> {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]);
      try {
        if (stopping.signal.aborted) throw new Error('sender closed');
        const { agent, request } = await connect();
        const answer = await request(outgoing.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...outgoing.headers },
          body: outgoing.body,
          dispatcher: agent,
          signal,
        });
        const body = showsAnswer(outgoing.url) ? await preview(answer.body) : await discard(answer.body);
        const ok = answer.statusCode >= 200 && answer.statusCode < 300;
        const error = ok
          ? null
          : scrub(`HTTP ${answer.statusCode}${body ? `: ${body.slice(0, 200)}` : ''}`, outgoing);
        return { status: answer.statusCode, ok, body, durationMs: elapsed(), error };
      } catch (thrown) {
        // Only a literal address is named as refused: for a host name, saying so would tell the
        // admin what internal names resolve to (a DNS oracle), so it reads like any failure.
        const error =
          isPrivateRefusal(thrown) && isPrivateHost(new URL(outgoing.url).hostname)
            ? PRIVATE_ADDRESS_REFUSED
            : NO_ANSWER;
        return { status: null, ok: false, body: '', durationMs: elapsed(), error };
      }
    },
    /** Aborts requests in flight and closes the connection pool. */
    async close(): Promise<void> {
      stopping.abort();
      if (client) await (await client).agent.destroy();
    },
  };
}

function isPrivateRefusal(thrown: unknown): boolean {
  const error = thrown as { cause?: unknown };
  return thrown instanceof PrivateAddressError || error?.cause instanceof PrivateAddressError;
}

async function preview(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= ANSWER_PREVIEW_BYTES) break;
  }
  body.destroy();
  const text = Buffer.concat(chunks).subarray(0, ANSWER_PREVIEW_BYTES).toString('utf8');
  return sanitizeForDisplay(text.replace(/\uFFFD$/, '')).trim();
}

/** Drops an answer unread: its content is not ours to show. */
async function discard(body: { dump(options?: { limit: number }): Promise<void> }): Promise<string> {
  await body.dump({ limit: ANSWER_PREVIEW_BYTES }).catch(() => {});
  return '';
}

/** One line of at most 300 characters with neither the secret nor the URL's path and query. */
function scrub(text: string, outgoing: Outgoing): string {
  let line = sanitizeForDisplay(text);
  for (const secret of outgoing.secrets) if (secret) line = line.split(secret).join('[REDACTED]');
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
