import { Agent, request } from 'undici';
import { sanitizeForDisplay } from '../cli/output/sanitize.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer is kept: enough to show what it said, never a whole page. */
export const ANSWER_PREVIEW_BYTES = 2048;
const USER_AGENT = 'audit-webhooks/1';

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
  /** The first 2 KB of the answer, cleaned of control characters. */
  body: string;
  durationMs: number;
  /** One line, no secrets; null on a 2xx. */
  error: string | null;
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

/**
 * POSTs webhook bodies with undici: a timeout on connect, headers and body, no redirects
 * followed (the URL an admin entered is the only place data goes), and a preview of the answer.
 */
export function createWebhookSender(options: { timeoutMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agent = new Agent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const stopping = new AbortController();

  return {
    timeoutMs,
    async send(outgoing: Outgoing): Promise<SendResult> {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]);
      try {
        const answer = await request(outgoing.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...outgoing.headers },
          body: outgoing.body,
          dispatcher: agent,
          signal,
        });
        const body = await preview(answer.body);
        const ok = answer.statusCode >= 200 && answer.statusCode < 300;
        const error = ok
          ? null
          : scrub(`HTTP ${answer.statusCode}${body ? `: ${body.slice(0, 200)}` : ''}`, outgoing);
        return { status: answer.statusCode, ok, body, durationMs: elapsed(), error };
      } catch (thrown) {
        const reason =
          signal.aborted && !stopping.signal.aborted ? `timed out after ${timeoutMs} ms` : describe(thrown);
        return { status: null, ok: false, body: '', durationMs: elapsed(), error: scrub(reason, outgoing) };
      }
    },
    /** Aborts requests in flight and closes the connection pool. */
    close(): Promise<void> {
      stopping.abort();
      return agent.destroy();
    },
  };
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

function describe(thrown: unknown): string {
  const error = thrown as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = error.cause?.code ?? error.code;
  const message = error.cause?.message ?? error.message ?? String(thrown);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** One line of at most 300 characters with neither the secret nor the URL's path and query. */
function scrub(text: string, outgoing: Outgoing): string {
  let line = sanitizeForDisplay(text);
  for (const secret of outgoing.secrets) if (secret) line = line.split(secret).join('[REDACTED]');
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
