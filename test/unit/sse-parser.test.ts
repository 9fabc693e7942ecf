import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, MAX_PENDING_SSE_CHARS, type SseMessage } from '../../src/client/sse-parser.js';
import { MAX_BODY_BYTES } from '../../src/domain/request-limits.js';

function parse(chunks: readonly string[]): { messages: SseMessage[]; comments: string[] } {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const parser = createSseParser(
    (message) => messages.push(message),
    (comment) => comments.push(comment),
  );
  for (const chunk of chunks) parser.push(chunk);
  return { messages, comments };
}

/** `text` cut at the given positions. */
function cut(text: string, positions: readonly number[]): string[] {
  const points = [...new Set(positions.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(text.slice(start, point));
    start = point;
  }
  chunks.push(text.slice(start));
  return chunks;
}

describe('the Server-Sent Events parser', () => {
  // A heartbeat follows (LF-ended): a CR at the end of what has arrived could still be the
  // first half of a CRLF, so the parser waits for the next character before using it.
  const stream = (newline: string) =>
    `${[
      ': connected at position 7',
      '',
      'id: 8',
      'data: {"a":1}',
      '',
      'event: note',
      'data: one',
      'data: two',
      '',
      '',
    ].join(newline)}: heartbeat\n`;
  const expected = [
    { id: '8', event: 'message', data: '{"a":1}' },
    { id: '8', event: 'note', data: 'one\ntwo' },
  ];

  for (const [name, newline] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    it(`frames the same messages with ${name} line ends, however the stream is cut`, () => {
      const text = stream(newline);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 12 }), (positions) => {
          const { messages, comments } = parse(cut(text, positions));
          expect(messages).toEqual(expected);
          expect(comments).toEqual(['connected at position 7', 'heartbeat']);
        }),
        { numRuns: 300, seed: 0x55e },
      );
    });
  }

  it('frames a thousand events that arrive in one chunk', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `id: ${i}\ndata: {"n":${i}}\n\n`).join('');
    const { messages } = parse([text]);
    expect(messages.map((message) => JSON.parse(message.data).n)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
    expect(messages.at(-1)?.id).toBe('999');
  });

  it('a hostile server that never ends a line cannot grow the follower without bound: it stops at the cap', () => {
    const parser = createSseParser(() => {});
    const piece = 'x'.repeat(64 * 1024);
    parser.push('data: ');
    let fed = 0;
    expect(() => {
      for (;;) {
        parser.push(piece);
        fed += piece.length;
        if (fed > 4 * MAX_PENDING_SSE_CHARS) return;
      }
    }).toThrow(/without ending a message/);
    expect(fed).toBeLessThanOrEqual(MAX_PENDING_SSE_CHARS + piece.length);
  });

  it('events as big as a request body, one after another, stay under the cap', () => {
    const messages: string[] = [];
    const parser = createSseParser((message) => messages.push(message.data));
    const big = 'y'.repeat(MAX_BODY_BYTES);
    for (let i = 0; i < 3; i++) parser.push(`id: ${i}\ndata: ${big}\n\n`);
    expect(messages.map((data) => data.length)).toEqual([MAX_BODY_BYTES, MAX_BODY_BYTES, MAX_BODY_BYTES]);
  });
});
