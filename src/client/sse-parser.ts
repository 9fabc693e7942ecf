/** One Server-Sent Event, as the stream framed it. */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * An incremental parser for text/event-stream (the WHATWG framing): feed it chunks as they
 * arrive, get back the complete messages. Comments (heartbeats) are reported separately so a
 * follower can tell a live connection from a dead one.
 */
export function createSseParser(
  onMessage: (message: SseMessage) => void,
  onComment?: (text: string) => void,
) {
  let buffer = '';
  let data: string[] = [];
  let eventType = '';
  let id: string | undefined;

  const dispatch = () => {
    if (data.length > 0) onMessage({ id, event: eventType || 'message', data: data.join('\n') });
    data = [];
    eventType = '';
  };

  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return onComment?.(text.slice(1).trim());
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') eventType = value;
    else if (field === 'id' && !value.includes('\u0000')) id = value;
  };

  return {
    push(chunk: string): void {
      buffer += chunk;
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline !== -1) {
        const width = buffer.startsWith('\r\n', newline) ? 2 : 1;
        line(buffer.slice(0, newline));
        buffer = buffer.slice(newline + width);
        newline = buffer.search(/\r\n|\r|\n/);
      }
    },
    /** The id of the last message seen: what to send as Last-Event-ID when reconnecting. */
    lastEventId: () => id,
  };
}
