import type { AuditEvent, EventInput } from '../domain/event.js';
import { InvalidEventError, normalizeEvent } from '../domain/normalize.js';
import { newEventId } from '../domain/ulid.js';
import type { IngestResult } from './event-ingest.js';
import type { EventStore } from './event-store.js';

/**
 * A batch as it will be stored: each input normalized and redacted with the batch's receipt time.
 * A refused event of a batch is named by its index, so a sender can find it. Both engines'
 * recorders start here.
 */
export function normalizeInputs(inputs: readonly EventInput[], receivedAt: number): AuditEvent[] {
  return inputs.map((input, index) => {
    try {
      return normalizeEvent(input, { receivedAt, newId: newEventId });
    } catch (error) {
      if (error instanceof InvalidEventError && inputs.length > 1) {
        throw new InvalidEventError(`events[${index}].${error.field}`, error.message);
      }
      throw error;
    }
  });
}

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
      const result = events.ingest(orgId, normalizeInputs(inputs, receivedAt), receivedAt);
      if (result.created > 0) afterCommit();
      return result;
    },
  };
}

export type EventRecorder = ReturnType<typeof createEventRecorder>;
