import { createParser } from 'eventsource-parser';

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
  const parser = createParser({
    onEvent(message) {
      if (message.id !== undefined) lastId = message.id;
      onMessage({ id: lastId, event: message.event ?? 'message', data: message.data });
    },
    onComment: onComment && ((comment) => onComment(comment.trim())),
  });
  return {
    push(chunk: string): void {
      parser.feed(chunk);
    },
    /** The id of the last message seen: what to send as Last-Event-ID when reconnecting. */
    lastEventId: () => lastId,
  };
}
