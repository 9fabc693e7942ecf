import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../store/database-unavailable.js';

const TYPE_BASE = 'https://audit.dev/problems/';

/** An RFC 9457 problem the API answers with; thrown anywhere in a route. */
export class Problem extends Error {
  override readonly name = 'Problem';
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  toJSON(instance?: string) {
    return {
      type: TYPE_BASE + this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}

export const invalidParameter = (param: string, detail: string) =>
  new Problem(400, 'invalid-parameter', 'Invalid parameter', `${param}: ${detail}`, { param });
export const unauthorized = (detail: string) =>
  new Problem(401, 'unauthorized', 'Authentication required', detail, {}, { 'www-authenticate': 'Bearer' });
export const forbidden = (detail: string) => new Problem(403, 'forbidden', 'Not permitted', detail);
export const notFound = (detail: string) => new Problem(404, 'not-found', 'Not found', detail);
export const serviceBusy = (retryAfterSeconds: number) =>
  new Problem(
    503,
    'busy',
    'Service busy',
    'the database is busy; retry shortly',
    {},
    {
      'retry-after': String(retryAfterSeconds),
    },
  );

export function sendProblem(reply: FastifyReply, problem: Problem, request: FastifyRequest): FastifyReply {
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type('application/problem+json')
    .send(problem.toJSON(request.url.split('?')[0]));
}

/**
 * Every error becomes a problem document. Validation and parse errors are the client's (4xx);
 * SQLite busy is a 503; anything unexpected is logged and answered as a plain 500 without
 * internals, and is a bug to fix.
 */
export function toProblem(thrown: unknown): Problem {
  if (thrown instanceof Problem) return thrown;
  const error = (thrown instanceof Error ? thrown : new Error(String(thrown))) as FastifyError;
  if (error.validation) return validationProblem(error);
  if (
    error.code === 'SQLITE_BUSY' ||
    error.code === 'SQLITE_BUSY_SNAPSHOT' ||
    error.code === 'SQLITE_LOCKED'
  ) {
    return serviceBusy(1);
  }
  if (isDatabaseUnavailable(error)) return serviceBusy(1);
  const status = error.statusCode ?? 500;
  if (status === 413) return new Problem(413, 'payload-too-large', 'Payload too large', error.message);
  if (status === 415)
    return new Problem(415, 'unsupported-media-type', 'Unsupported media type', error.message);
  if (status >= 400 && status < 500) return new Problem(status, 'bad-request', 'Bad request', error.message);
  return new Problem(500, 'internal', 'Internal error', 'the server failed to handle this request');
}

function validationProblem(error: FastifyError): Problem {
  const first = error.validation?.[0];
  const params = first?.params as { missingProperty?: string; additionalProperty?: string } | undefined;
  // An unknown name is the parameter at fault: a misspelt filter is named as the sender wrote it.
  const unknown = first?.keyword === 'additionalProperties' ? params?.additionalProperty : undefined;
  const path = (first?.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .concat(params?.missingProperty ? [params.missingProperty] : [])
    .concat(unknown !== undefined ? [unknown] : [])
    .join('.');
  const param = path || (error.validationContext ?? 'body');
  if (unknown !== undefined) {
    const what = error.validationContext === 'querystring' ? 'parameter' : 'field';
    return invalidParameter(param, `is not a known ${what}`);
  }
  return invalidParameter(param, first?.message ?? 'is invalid');
}
