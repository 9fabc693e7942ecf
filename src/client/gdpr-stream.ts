/**
 * The GDPR subject-access export (`POST …/gdpr/exports`) read as it arrives: its events one at a
 * time, then its summary, so that a person with a million events is written out without the
 * answer ever being held whole. The answer is `{"data":[…events],"summary":{…}}` (in either
 * order), each member once, the summary's count a count; anything else is an AuditResponseError,
 * as a whole answer of another shape would be (a second member would be written as a duplicate
 * key, and the count is said on the terminal).
 */
import { orgPath } from './api-paths.js';
import type { AuditClient } from './client.js';
import type { CallOptions } from './client-options.js';
import { AuditResponseError, networkError } from './errors.js';
import { gdprExportPath, subjectRequest } from './gdpr-request.js';
import { type OpenAnswer, throwIfAborted } from './http.js';
import { JsonMembersError, readJsonMembers } from './json-members.js';
import { isRetryableNetworkError, networkErrorCode } from './retry.js';
import type { AuditEvent, GdprExport, GdprSubjectOptions } from './types.js';

/** The document's parts in the order they come: the events between their start and end, and the summary. */
export type SubjectAccessPart =
  | { events: 'start' | 'end' }
  | { event: AuditEvent }
  | { summary: GdprExport['summary'] };

/** One event may be up to 5 MiB as sent, more once escaped: a value past this is no event. */
const MAX_VALUE_BYTES = 64 * 1024 * 1024;

export async function* streamGdprExport(
  client: AuditClient,
  user: string,
  options: CallOptions & GdprSubjectOptions = {},
): AsyncGenerator<SubjectAccessPart> {
  const { call, body } = subjectRequest(user, options);
  const answer = await client.openAnswer('POST', gdprExportPath(orgPath(client.org)), { ...call, body });
  const contentType = headerText(answer.headers['content-type']);
  const refusal = (kind: 'not-json' | 'unexpected-shape', detail?: string) =>
    new AuditResponseError({
      kind,
      status: answer.status,
      contentType,
      method: answer.method,
      url: answer.url,
      expected: 'a subject-access export',
      ...(detail ? { detail } : {}),
    });
  if (!contentType?.toLowerCase().includes('json')) {
    await answer.body.dump().catch(() => undefined);
    throw refusal('not-json');
  }
  let events = false;
  let summary = false;
  let ended = false;
  try {
    for await (const part of readJsonMembers(answer.body, 'data', MAX_VALUE_BYTES)) {
      if ('open' in part) {
        if (events) throw refusal('unexpected-shape');
        events = true;
        yield { events: 'start' };
      } else if ('close' in part) yield { events: 'end' };
      else if ('element' in part) {
        if (!isObject(part.element)) throw refusal('unexpected-shape');
        yield { event: part.element as unknown as AuditEvent };
      } else if (part.key === 'data') throw refusal('unexpected-shape');
      else if (part.key === 'summary') {
        if (summary || !isSummary(part.value)) throw refusal('unexpected-shape');
        summary = true;
        yield { summary: part.value as GdprExport['summary'] };
      }
    }
    ended = true;
  } catch (error) {
    throwIfAborted(call.signal);
    if (error instanceof JsonMembersError) throw refusal('not-json', error.message);
    if (isRetryableNetworkError(error)) throw cutShort(answer, error);
    throw error;
  } finally {
    if (!ended && !answer.body.destroyed) answer.body.on('error', () => undefined).destroy();
  }
  if (!events || !summary) throw refusal('unexpected-shape');
}

/** The answer stopped coming: said as the network failure it is. */
function cutShort(answer: OpenAnswer, error: unknown) {
  return networkError({
    code: networkErrorCode(error),
    method: answer.method,
    url: answer.url,
    cause: error,
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function isSummary(value: unknown): value is GdprExport['summary'] {
  return isObject(value) && Number.isSafeInteger(value.count) && (value.count as number) >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
