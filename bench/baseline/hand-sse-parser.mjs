// The hand-written text/event-stream parser that src/client/sse-parser.ts replaced with the
// eventsource-parser package, kept only as the baseline of bench/sse-parser.mjs.
export function createHandSseParser(onMessage, onComment) {
  let buffer = '';
  let data = [];
  let eventType = '';
  let id;

  const dispatch = () => {
    if (data.length > 0)
      onMessage({ id, event: eventType || 'message', data: data.length === 1 ? data[0] : data.join('\n') });
    data = [];
    eventType = '';
  };

  const line = (text) => {
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
    push(chunk) {
      buffer += chunk;
      if (!buffer.includes('\r')) {
        let start = 0;
        for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n', start)) {
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
        if (width === 1 && buffer[newline] === '\r' && newline === buffer.length - 1) break;
        line(buffer.slice(0, newline));
        buffer = buffer.slice(newline + width);
        newline = buffer.search(/\r\n|\r|\n/);
      }
    },
    lastEventId: () => id,
  };
}
