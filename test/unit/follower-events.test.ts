import { describe, expect, it } from 'vitest';
import { type FollowedEvent, followEvents, MalformedEventError } from '../../src/client/follower.js';

/** Follows one stream that sends `datas` as events 1…n and then ends; nothing is retried. */
async function followOnce(datas: string[], initial: { id: string }[] = []): Promise<FollowedEvent[]> {
  const stop = new AbortController();
  const frames = datas.map((data, index) => `id: ${index + 1}\ndata: ${data}\n\n`).join('');
  const followed: FollowedEvent[] = [];
  for await (const item of followEvents({
    signal: stop.signal,
    initial: async () => initial as never,
    openStream: async () =>
      (async function* () {
        yield `: connected at position 0\n\n${frames}`;
        stop.abort();
      })(),
    poll: async () => [],
    delayMs: () => 0,
    sleep: async () => {},
  })) {
    followed.push(item);
  }
  return followed;
}

describe('followEvents: streamed events', () => {
  it('hands each one over as the text it came as, parsing it only when asked', async () => {
    const good = '{"id":"log_1","action":"user.login"}';
    const [first, second] = await followOnce([good, '{"id": broken}']);
    expect(first?.text).toBe(good);
    expect(first?.event).toEqual({ id: 'log_1', action: 'user.login' });
    // Reading the text of a broken one is fine; asking for the event is not.
    expect(second?.text).toBe('{"id": broken}');
    expect(() => second?.event).toThrow(MalformedEventError);
  });

  it.each(['null', '[1]', '"log_1"', '42', '{'])(
    'refuses %s as an event, naming its position',
    async (data) => {
      const [item] = await followOnce([data]);
      expect(() => item?.event).toThrow(
        'the server sent an event that is not a JSON object (stream position 1)',
      );
    },
  );

  it('parses to drop what the recent events already showed, and stops on one it cannot parse', async () => {
    const shown = await followOnce(['{"id":"log_1"}', '{"id":"log_2"}'], [{ id: 'log_1' }]);
    expect(shown.map((item) => item.event.id)).toEqual(['log_1', 'log_2']);
    expect(shown.map((item) => item.text)).toEqual([undefined, '{"id":"log_2"}']);
    await expect(followOnce(['null'], [{ id: 'log_1' }])).rejects.toThrow(MalformedEventError);
  });
});

describe('followEvents: a stream the server ends', () => {
  /** The reconnect reasons reported after one stream that ends with `comment`. */
  async function reasonsAfter(comment: string): Promise<string[]> {
    const stop = new AbortController();
    const reasons: string[] = [];
    let opened = 0;
    for await (const _ of followEvents({
      signal: stop.signal,
      openStream: async () => {
        if (opened++ > 0) stop.abort();
        return (async function* () {
          yield `: connected at position AAAAAAAAAAAAAAAAAAAAAA\n\n: ${comment}\n\n`;
        })();
      },
      poll: async () => [],
      delayMs: () => 0,
      sleep: async () => {},
      onReconnecting: ({ reason }) => reasons.push(reason),
    })) {
      // No events.
    }
    return reasons;
  }

  it("reports the server's plain-words reason for ending the stream", async () => {
    expect(await reasonsAfter('closed: the token was revoked')).toEqual([
      'the server ended the stream: the token was revoked',
    ]);
  });

  it('never passes a hostile reason (terminal escapes) on to the terminal', async () => {
    const reasons = await reasonsAfter('closed: \x1b]52;c;ZXZpbA==\x07 pwned');
    expect(reasons).toEqual(['the server closed the stream']);
  });
});

describe('followEvents: a resume past the end of the log', () => {
  it('warns once, shows the notice as no event, and resumes later from the end it names', async () => {
    const stop = new AbortController();
    const positions: (string | undefined)[] = [];
    let warnings = 0;
    const followed: FollowedEvent[] = [];
    for await (const item of followEvents({
      signal: stop.signal,
      openStream: async (position) => {
        positions.push(position);
        const again = positions.length > 1;
        if (again) stop.abort();
        return (async function* () {
          yield ': connected at position END___________________\n\n';
          if (again) return;
          yield 'event: position-ahead\nid: END___________________\ndata: {"position":"END___________________"}\n\n';
          yield 'event: something-new\ndata: {"id":"log_not_an_event"}\n\n';
        })();
      },
      poll: async () => [],
      delayMs: () => 0,
      sleep: async () => {},
      onPositionAhead: () => warnings++,
    })) {
      followed.push(item);
    }
    expect(followed).toEqual([]);
    expect(warnings).toBe(1);
    expect(positions).toEqual([undefined, 'END___________________']);
  });
});
