import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import type { EventInput } from '../../domain/event.js';
import { EVENT_ID_RULE, EVENT_ID_SOURCE } from '../../domain/event-id.js';
import { InvalidEventError } from '../../domain/normalize.js';
import { ingestCost, MAX_BATCH_EVENTS, MAX_BODY_BYTES } from '../../domain/request-limits.js';
import { reservedFieldOf } from '../../domain/server-records.js';
import { assertCanIngest } from '../permissions.js';
import { invalidParameter, Problem } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { EventInputSchema, IngestBodySchema, IngestResponseSchema } from '../schemas/event.js';

const eventInputCheck = Compile(EventInputSchema);

/**
 * POST audit-logs: store one event or a batch. A duplicate id is answered with the id alone:
 * the stored event may be one the sender is not allowed to read (an ingest-only token).
 */
export function registerIngestRoute(app: FastifyInstance) {
  const { engine } = app.services;

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/organizations/:org/audit-logs',
    {
      schema: {
        tags: ['audit-logs'],
        summary:
          `Ingest one event, or {"events": [...]} (up to ${MAX_BATCH_EVENTS} events and ` +
          `${MAX_BODY_BYTES / 1024 / 1024} MiB); idempotent by id`,
        params: OrgParams,
        body: IngestBodySchema,
        response: { 201: IngestResponseSchema, ...problemResponses(400, 401, 403, 404, 413, 415, 429, 503) },
      },
      config: { rateCost: (request: FastifyRequest) => ingestCost(batchLength(request.body)) },
      // The body is checked event by event below, so an error names the event that failed.
      validatorCompiler: () => (value: unknown) => ({ value }),
    },
    async (request, reply) => {
      const principal = organizationFor(request, request.params.org);
      assertCanIngest(principal);
      const inputs = eventsOfBody(request.body);
      try {
        // Answered only once committed; while another process holds the lock, the wait is async.
        const result = await engine.write((tx) => tx.recorder.record(principal.organization.id, inputs));
        reply.code(201);
        return {
          data: result.stored.map((stored, index) =>
            result.fresh[index] ? stored.event : { id: stored.event.id, duplicate: true as const },
          ),
          summary: {
            received: inputs.length,
            created: result.created,
            duplicates: inputs.length - result.created,
          },
        };
      } catch (error) {
        if (error instanceof InvalidEventError) throw invalidParameter(error.field, error.message);
        throw error;
      }
    },
  );
}

/** How many events a body holds, as far as the rate limit is concerned (capped at the batch limit). */
function batchLength(body: unknown): number {
  const events = (body as { events?: unknown } | null)?.events;
  return Array.isArray(events) ? Math.min(events.length, MAX_BATCH_EVENTS) : 1;
}

function eventsOfBody(body: unknown): EventInput[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidParameter('body', 'expected an event object or {"events": [...]}');
  }
  const batch = 'events' in body;
  const inputs = batch ? (body as { events: unknown }).events : [body];
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw invalidParameter('events', 'expected a non-empty array of events');
  }
  if (inputs.length > MAX_BATCH_EVENTS) {
    throw new Problem(
      413,
      'payload-too-large',
      'Payload too large',
      `at most ${MAX_BATCH_EVENTS} events per request`,
    );
  }
  const fieldOf = (index: number, path: string) =>
    batch ? `events[${index}]${path ? `.${path}` : ''}` : path || 'body';
  inputs.forEach((input, index) => {
    // The compiled check is fast; the error walk runs only for an event that fails it.
    const error = eventInputCheck.Check(input) ? undefined : reportedError(eventInputCheck.Errors(input));
    if (error) throw invalidParameter(fieldOf(index, error.path), error.message);
    const reserved = reservedFieldOf(input);
    if (reserved) throw invalidParameter(fieldOf(index, reserved.field), reserved.message);
  });
  return inputs as EventInput[];
}

/**
 * The one error an answer names: the first found, reported at the outermost alternative
 * (`anyOf`) that contains it, since the value matched none of them; a missing property is
 * named itself.
 */
function reportedError(errors: TLocalizedValidationError[]): { path: string; message: string } | undefined {
  const first = errors[0];
  if (!first) return undefined;
  const within = (error: TLocalizedValidationError) =>
    error.keyword === 'anyOf' &&
    (first.instancePath === error.instancePath || first.instancePath.startsWith(`${error.instancePath}/`));
  const outermost = errors.filter(within).sort((a, b) => a.instancePath.length - b.instancePath.length)[0];
  const error = outermost ?? first;
  if (error.keyword === 'required') {
    const path = [...segmentsOf(error.instancePath), ...error.params.requiredProperties.slice(0, 1)];
    return { path: path.join('.'), message: 'is required' };
  }
  return { path: segmentsOf(error.instancePath).join('.'), message: messageOf(error) };
}

function segmentsOf(instancePath: string): string[] {
  return instancePath.split('/').filter(Boolean);
}

/** TypeBox's message; the id's rule in words, since its regular expression alone is easy to misread. */
function messageOf(error: TLocalizedValidationError): string {
  if (error.keyword === 'pattern' && String(error.params.pattern) === EVENT_ID_SOURCE) return EVENT_ID_RULE;
  return error.message;
}
