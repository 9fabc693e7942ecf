import { categoryForAction, describeEvent } from './catalogue.js';
import { isCategory } from './categories.js';
import type { Actor, AuditEvent, EventContext, EventInput, JsonObject, Target } from './event.js';
import { MAX_JSON_NESTING, nestingDepth } from './json-nesting.js';
import { redactSecretString, redactSecrets } from './redaction.js';
import { parseInstant } from './time.js';

/** A field of an ingested event that cannot be stored; `field` is its path in the event. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_FUTURE_SKEW_MS = 24 * 3_600_000;
const MAX_JSON_BYTES = 64 * 1024;

export interface NormalizeContext {
  receivedAt: number;
  newId: () => string;
}

/**
 * Turns what a sender posted into the stored event: defaults for id, time, category and
 * description, and secrets redacted before anything reaches the database.
 */
export function normalizeEvent(input: EventInput, context: NormalizeContext): AuditEvent {
  const timestamp = normalizeTimestamp(input.timestamp, context.receivedAt);
  if (input.category !== undefined && !isCategory(input.category)) {
    throw new InvalidEventError('category', `unknown category "${input.category}"`);
  }
  const changes = normalizeObject('changes', input.changes);
  const metadata = normalizeObject('metadata', input.metadata);
  const actor = part<Actor>(input.actor, { id: null, name: null, email: null, type: null });
  const target = part<Target>(input.target, { type: null, id: null, name: null });
  const eventContext = part<EventContext>(input.context, {
    ip_address: null,
    user_agent: null,
    team_id: null,
    team_name: null,
  });
  const event: AuditEvent = {
    id: input.id ?? context.newId(),
    timestamp: new Date(timestamp).toISOString(),
    category: input.category ?? categoryForAction(input.action),
    action: input.action,
    description: null,
    actor,
    target,
    context: eventContext,
    changes,
    metadata,
  };
  event.description = redactSecretString(input.description ?? describeEvent(event));
  return event;
}

function normalizeTimestamp(text: string | undefined, receivedAt: number): number {
  if (text === undefined) return receivedAt;
  const ms = parseInstant(text);
  if (ms === undefined || ms < 0) {
    throw new InvalidEventError(
      'timestamp',
      'expected an ISO 8601 time with an offset, like 2024-01-15T14:32:18Z',
    );
  }
  if (ms > receivedAt + MAX_FUTURE_SKEW_MS) {
    throw new InvalidEventError('timestamp', 'is more than 24 hours in the future');
  }
  return ms;
}

function normalizeObject(field: string, value: JsonObject | null | undefined): JsonObject | null {
  if (value === null || value === undefined || Object.keys(value).length === 0) return null;
  if (nestingDepth(value) > MAX_JSON_NESTING) {
    throw new InvalidEventError(field, `is nested more than ${MAX_JSON_NESTING} levels deep`);
  }
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) {
    throw new InvalidEventError(field, `is larger than ${MAX_JSON_BYTES / 1024} KiB`);
  }
  return redactSecrets(value);
}

/** A fixed-shape part (actor, target, context) with every key present, or null when empty. */
function part<T extends { [K in keyof T]: string | null }>(
  value: Partial<T> | null | undefined,
  empty: T,
): T | null {
  if (!value) return null;
  const filled = { ...empty };
  let present = false;
  for (const key of Object.keys(empty) as (keyof T)[]) {
    const field = value[key];
    if (typeof field === 'string' && field !== '') {
      filled[key] = redactSecretString(field) as T[keyof T];
      present = true;
    }
  }
  return present ? filled : null;
}
