/**
 * The JSON of a successful answer, checked before anyone reads a field of it: a proxy's HTML
 * page or a wrong --server answers 200 too, and must end as one typed error that says so,
 * not as "Cannot read properties of undefined" somewhere in a command.
 */
import { AuditResponseError } from './errors.js';
import type { Answer } from './http.js';

/** What a call expects of the body; checked structurally, the fields' own types are not. */
export type AnswerShape = 'object' | 'envelope' | 'page' | 'me' | 'review';

const SHAPES: Record<AnswerShape, { expected: string; test: (value: unknown) => boolean }> = {
  object: { expected: 'a JSON object', test: isObject },
  envelope: {
    expected: 'an object with "data"',
    test: (value) => isObject(value) && value.data !== undefined,
  },
  page: {
    expected: 'a page of events',
    test: (value) => isObject(value) && Array.isArray(value.data) && isObject(value.pagination),
  },
  review: {
    expected: 'a security review',
    test: (value) =>
      isObject(value) &&
      isObject(value.data) &&
      Array.isArray(value.data.findings) &&
      isObject(value.data.counts),
  },
  me: {
    expected: 'a user, an organization and a token',
    test: (value) =>
      isObject(value) && isObject(value.user) && isObject(value.organization) && isObject(value.token),
  },
};

/** The body parsed; an empty body (a 204) is undefined. Throws AuditResponseError. */
export function jsonAnswer(answer: Answer, shape?: AnswerShape): unknown {
  let body: unknown;
  if (answer.text.trim() !== '') {
    try {
      body = JSON.parse(answer.text);
    } catch {
      throw responseError(answer, 'not-json');
    }
  }
  if (shape && !SHAPES[shape].test(body))
    throw responseError(answer, 'unexpected-shape', SHAPES[shape].expected);
  return body;
}

function responseError(answer: Answer, kind: 'not-json' | 'unexpected-shape', expected?: string) {
  const type = answer.headers['content-type'];
  return new AuditResponseError({
    kind,
    status: answer.status,
    contentType: Array.isArray(type) ? type.join(', ') : type,
    method: answer.method,
    url: answer.url,
    expected,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
