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
    if (data.length > 0)
      onMessage({
        id,
        event: eventType || 'message',
        data: data.length === 1 ? (data[0] as string) : data.join('\n'),
      });
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
      // Streams almost always end lines with LF alone: find those with indexOf and walk the
      // buffer by position, cutting it once per chunk (a regex search and a cut per line cost
      // ~6 µs an event, a third of what a follower spends on one).
      if (!buffer.includes('\r')) {
        let start = 0;
        for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n', start)) {
          // Nearly every line of a busy stream is an event's data: cut its value out directly.
          if (buffer.startsWith('data: ', start)) data.push(buffer.slice(start + 6, newline));
          else line(buffer.slice(start, newline));
          start = newline + 1;
        }
        buffer = buffer.slice(start);
        return;
      }
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline !== -1) {
        const width = buffer.startsWith('\r\n', newline) ? 2 : 1;
        // A CR at the very end may be the first half of a CRLF still in flight.
        if (width === 1 && buffer[newline] === '\r' && newline === buffer.length - 1) break;
        line(buffer.slice(0, newline));
        buffer = buffer.slice(newline + width);
        newline = buffer.search(/\r\n|\r|\n/);
      }
    },
    /** The id of the last message seen: what to send as Last-Event-ID when reconnecting. */
    lastEventId: () => id,
  };
}
