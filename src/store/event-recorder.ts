import type { EventInput } from '../domain/event.js';
import { InvalidEventError, normalizeEvent } from '../domain/normalize.js';
import { newEventId } from '../domain/ulid.js';
import type { IngestResult } from './event-ingest.js';
import type { EventStore } from './event-store.js';

/**
 * The one way events enter the store, from senders and from the server itself: normalize and
 * redact, commit durably, then wake the live followers.
 */
export function createEventRecorder(
  events: EventStore,
  now: () => number,
  afterCommit: () => void = () => {},
) {
  return {
    record(orgId: number, inputs: readonly EventInput[]): IngestResult {
      const receivedAt = now();
      const normalized = inputs.map((input, index) => {
        try {
          return normalizeEvent(input, { receivedAt, newId: newEventId });
        } catch (error) {
          // Name the event in a batch, so a sender can find the one that was refused.
          if (error instanceof InvalidEventError && inputs.length > 1) {
            throw new InvalidEventError(`events[${index}].${error.field}`, error.message);
          }
          throw error;
        }
      });
      const result = events.ingest(orgId, normalized, receivedAt);
      if (result.created > 0) afterCommit();
      return result;
    },
  };
}

export type EventRecorder = ReturnType<typeof createEventRecorder>;
