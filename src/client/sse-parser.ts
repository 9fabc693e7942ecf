import { createParser } from 'eventsource-parser';
import { MAX_BODY_BYTES } from '../domain/request-limits.js';

/**
 * The most text a stream may send without completing a message or comment. One event is at most
 * a request body; twice that leaves room for what the server adds. Past it, a broken or hostile
 * server would otherwise grow the follower's memory without end with one line that never ends.
 */
export const MAX_PENDING_SSE_CHARS = 2 * MAX_BODY_BYTES;

/** One Server-Sent Event, as the stream framed it. */
export interface SseMessage {
  /** The last event id the stream set (WHATWG "last event ID"), not only this message's own. */
  id: string | undefined;
  /** `message` when the stream named no type. */
  event: string;
  data: string;
}

/**
 * An incremental parser for text/event-stream (the WHATWG framing, by eventsource-parser): feed
 * it chunks as they arrive, get back the complete messages. Comments (heartbeats, our server's
 * `connected at position …`) are reported trimmed, so a follower can tell a live connection from
 * a dead one and read what the server announces.
 */
export function createSseParser(
  onMessage: (message: SseMessage) => void,
  onComment?: (text: string) => void,
) {
  // eventsource-parser gives each message only the id it carried; a stream's last event id
  // lasts until another replaces it, and that is what a resume must send.
  let lastId: string | undefined;
  // Text fed since the last complete message or comment (an over-count by at most one chunk).
  let pending = 0;
  const parser = createParser({
    onEvent(message) {
      pending = 0;
      if (message.id !== undefined) lastId = message.id;
      onMessage({ id: lastId, event: message.event ?? 'message', data: message.data });
    },
    onComment(comment) {
      pending = 0;
      onComment?.(comment.trim());
    },
  });
  return {
    /** Throws when the stream has sent MAX_PENDING_SSE_CHARS without completing a message. */
    push(chunk: string): void {
      pending += chunk.length;
      parser.feed(chunk);
      if (pending > MAX_PENDING_SSE_CHARS) {
        throw new Error(
          `the event stream sent over ${MAX_PENDING_SSE_CHARS / 1024 / 1024} MiB without ending a message`,
        );
      }
    },
    /** The id of the last message seen: what to send as Last-Event-ID when reconnecting. */
    lastEventId: () => lastId,
  };
}
