/**
 * The server's operator log: Fastify's own logger (pino), one line per record on stderr. Every
 * line passes one choke point that takes secrets out of every string in it, whatever logged it.
 */
import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import { REDACTED, redactSecretString } from '../domain/secret-shapes.js';
import type { ServerLogOptions } from './log-options.js';
import { prettyLogLine } from './log-pretty.js';

// Anything token-like, even cut short or run on: stricter than the stored-event redaction.
const TOKEN_LIKE = /adt_[0-9A-Za-z]+/g;

/** Secrets out of one string: credentials by shape, and any `adt_…` at all. */
export function scrubLogText(text: string): string {
  return redactSecretString(text).replace(TOKEN_LIKE, `adt_${REDACTED}`);
}

function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return scrubLogText(value);
  if (Array.isArray(value)) return value.map(scrubValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, scrubValue(inner)]));
  }
  return value;
}

/** pino's serialized line, scrubbed, then written as JSON or as a line for a person. */
function scrubbingStream(options: ServerLogOptions) {
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = scrubValue(JSON.parse(line)) as Record<string, unknown>;
      } catch {
        record = { level: 50, msg: scrubLogText(line.trim()) };
      }
      const text = options.format === 'pretty' ? prettyLogLine(record) : JSON.stringify(record);
      options.destination.write(`${text}\n`);
    },
  };
}

/** Fastify's `logger` option for these settings. */
export function fastifyLoggerOptions(options: ServerLogOptions): FastifyServerOptions['logger'] {
  return {
    level: options.level,
    stream: scrubbingStream(options),
    // Also removed by shape in the stream; named here so they never reach a line at all.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["proxy-authorization"]',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
      ],
      censor: REDACTED,
    },
  };
}

/**
 * Fastify's per-request lines, reshaped: one access line per answered request at `info`
 * (method, path, status, time) instead of two. The query string stays out: it can hold search
 * terms about people.
 */
export class OperatorLogController extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = {
      method: request.method,
      path: request.url.split('?')[0],
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}
