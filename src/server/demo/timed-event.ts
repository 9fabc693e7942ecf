/** A demo event with the moment it happens, before timestamps are fixed and the log is sorted. */
import type { Actor, EventContext, EventInput, JsonObject, Target } from '../../domain/event.js';
import type { DemoPerson } from './cast.js';

export interface TimedEvent {
  at: number;
  event: EventInput;
}

export interface EventParts {
  actor: Actor;
  context?: Partial<EventContext> | null;
  target?: Target | null;
  metadata?: JsonObject;
  changes?: JsonObject;
}

/** Someone signed in, with the address and browser their session's events share. */
export interface Visit {
  person: DemoPerson;
  actor: Actor;
  context: EventContext;
}

/** The category is left to the server, which derives it from the action catalogue. */
export function timed(at: number, action: string, parts: EventParts): TimedEvent {
  const event: EventInput = { action, actor: parts.actor };
  event.context = parts.context ?? null;
  if (parts.target) event.target = parts.target;
  if (parts.changes) event.changes = parts.changes;
  if (parts.metadata) event.metadata = parts.metadata;
  return { at, event };
}

export function personTarget(person: DemoPerson): Target {
  return { type: 'user', id: person.id, name: person.name };
}
