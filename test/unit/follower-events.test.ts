import { describe, expect, it } from 'vitest';
import { type FollowedEvent, type FollowerOptions, followEvents } from '../../src/client/follower.js';
import type { AuditEvent } from '../../src/domain/event.js';

interface Followed {
  followed: FollowedEvent[];
  skipped: (string | undefined)[];
  /** The `after` ids of the list reads (polls, and the one check of the recent window). */
  listReads: (string | undefined)[];
}

/**
 * Follows one stream that sends `datas` as events 1…n (an SSE id each) and then ends; nothing
 * is retried. `later` is what the list API has after a given id.
 */
async function followOnce(
  datas: string[],
  initial: { id: string }[] = [],
  later: (afterId: string | undefined) => AuditEvent[] = () => [],
): Promise<Followed> {
  const stop = new AbortController();
  const frames = datas.map((data, index) => `id: ${index + 1}\ndata: ${data}\n\n`).join('');
  const result: Followed = { followed: [], skipped: [], listReads: [] };
  for await (const item of followEvents({
    signal: stop.signal,
    initial: async () => initial as never,
    openStream: async () =>
      (async function* () {
        yield `: connected at position 0\n\n${frames}`;
        stop.abort();
      })(),
    poll: async (afterId) => {
      result.listReads.push(afterId);
      return later(afterId);
    },
    delayMs: () => 0,
    sleep: async () => {},
    onSkipped: ({ position }) => result.skipped.push(position),
  })) {
    result.followed.push(item);
  }
  return result;
}

const ids = (followed: readonly FollowedEvent[]) => followed.map((item) => item.event.id);
const event = (id: string) => ({ id }) as AuditEvent;

describe('followEvents: streamed events', () => {
  it('hands each one over parsed, with the text it came as', async () => {
    const good = '{"id":"log_1","action":"user.login"}';
    const { followed } = await followOnce([good]);
    expect(followed).toEqual([{ text: good, event: { id: 'log_1', action: 'user.login' } }]);
  });

  // The one policy for every -n and -o: such a message is no event; it is skipped, its SSE id
  // reported (one warning line in tail), and the following goes on.
  it.each(['null', '[]', '[1]', '"x"', '"log_1"', '42', 'true', '{', '{"id": broken}', ''])(
    'skips %j as no event, reports its position, and goes on, with or without recent events',
    async (data) => {
      for (const initial of [[], [{ id: 'log_0' }]]) {
        const { followed, skipped } = await followOnce(
          ['{"id":"log_1"}', data, '{"id":"log_2"}'],
          initial,
          () => [event('log_1')],
        );
        expect(ids(followed)).toEqual([...initial.map((shown) => shown.id), 'log_1', 'log_2']);
        expect(skipped).toEqual(['2']);
      }
    },
  );

  it('skips a recent event that is not a JSON object, reporting it without a position', async () => {
    const { followed, skipped } = await followOnce(['{"id":"log_2"}'], [42 as never, { id: 'log_1' }]);
    expect(ids(followed)).toEqual(['log_1', 'log_2']);
    expect(skipped).toEqual([undefined]);
  });
});

describe('followEvents: the recent events shown first (-n)', () => {
  it('drops the repeats of recent events, then lets the shown ids go once past the last one', async () => {
    // log_3 is the last one shown: after it, an id seen before is no longer compared (a server
    // never sends one twice; this one is how the test sees that the window closed).
    const { followed } = await followOnce(
      ['{"id":"log_2"}', '{"id":"log_3"}', '{"id":"log_4"}', '{"id":"log_2"}'],
      [{ id: 'log_1' }, { id: 'log_2' }, { id: 'log_3' }],
    );
    expect(ids(followed)).toEqual(['log_1', 'log_2', 'log_3', 'log_4', 'log_2']);
    expect(followed.map((item) => item.text)).toEqual([
      undefined,
      undefined,
      undefined,
      '{"id":"log_4"}',
      '{"id":"log_2"}',
    ]);
  });

  it('closes the window at the first new event when none repeats, asking the server once', async () => {
    const { followed, listReads } = await followOnce(
      ['{"id":"log_5"}', '{"id":"log_1"}', '{"id":"log_6"}'],
      [{ id: 'log_1' }],
      (afterId) => (afterId === 'log_1' ? [event('log_5'), event('log_6')] : []),
    );
    expect(ids(followed)).toEqual(['log_1', 'log_5', 'log_1', 'log_6']);
    expect(listReads).toEqual(['log_1']);
  });

  it('keeps the window open past events older than the recent ones (more than -n arrived in between)', async () => {
    // The stream started before log_2…log_5 were ingested; -n 2 showed log_4 and log_5.
    const { followed, listReads } = await followOnce(
      [
        '{"id":"log_2"}',
        '{"id":"log_3"}',
        '{"id":"log_4"}',
        '{"id":"log_5"}',
        '{"id":"log_6"}',
        '{"id":"log_4"}',
      ],
      [{ id: 'log_4' }, { id: 'log_5' }],
      (afterId) => (afterId === 'log_5' ? [event('log_6')] : []),
    );
    expect(ids(followed)).toEqual(['log_4', 'log_5', 'log_2', 'log_3', 'log_6', 'log_4']);
    expect(listReads).toEqual(['log_5']);
  });

  // The recent events come sorted by time, the stream in ingest order: the newest by time can
  // arrive before older ones, and unshown events can fall between the repeats.
  it('does not show a recent event twice when the stream repeats them in another order than time', async () => {
    const { followed } = await followOnce(
      ['{"id":"R2"}', '{"id":"R1"}', '{"id":"N"}'],
      [{ id: 'R1' }, { id: 'R2' }],
    );
    expect(ids(followed)).toEqual(['R1', 'R2', 'N']);
  });

  it('does not show a recent event twice when an event not shown falls between its repeats', async () => {
    const { followed } = await followOnce(
      ['{"id":"R1"}', '{"id":"X"}', '{"id":"R2"}', '{"id":"N"}'],
      [{ id: 'R1' }, { id: 'R2' }],
      (afterId) => (afterId === 'R2' ? [event('N')] : []),
    );
    expect(ids(followed)).toEqual(['R1', 'R2', 'X', 'N']);
  });

  it('does not close early on the check when a recent event not yet repeated follows the last one shown', async () => {
    // R2 is the newest by time but was ingested before X and R1.
    const { followed } = await followOnce(
      ['{"id":"X"}', '{"id":"R1"}', '{"id":"N"}'],
      [{ id: 'R1' }, { id: 'R2' }],
      (afterId) => (afterId === 'R2' ? [event('X'), event('R1'), event('N')] : []),
    );
    expect(ids(followed)).toEqual(['R1', 'R2', 'X', 'N']);
  });

  it('keeps the window open when the check fails, so nothing is shown twice', async () => {
    const { followed } = await followOnce(['{"id":"log_2"}', '{"id":"log_1"}'], [{ id: 'log_1' }], () => {
      throw new Error('connection refused');
    });
    expect(ids(followed)).toEqual(['log_1', 'log_2']);
  });
});

describe('followEvents: one back-off for both states', () => {
  it('polls after the last event handed over when the stream goes away, counting failures once', async () => {
    const stop = new AbortController();
    const reconnects: { failure: number; reason: string }[] = [];
    const polls: (string | undefined)[] = [];
    let opened = 0;
    const options: FollowerOptions = {
      signal: stop.signal,
      maxConsecutiveFailures: 3,
      openStream: async () => {
        opened++;
        if (opened === 1)
          return (async function* () {
            yield ': connected at position 0\n\nid: 1\ndata: {"id":"log_1"}\n\n';
          })();
        if (opened === 2) throw Object.assign(new Error('socket hang up'), {});
        throw Object.assign(new Error('Not Found'), { status: 404 });
      },
      poll: async (afterId) => {
        polls.push(afterId);
        if (polls.length <= 2) throw new Error(`poll ${polls.length} failed`);
        stop.abort();
        return [event('log_2')];
      },
      delayMs: (failure) => failure * 10,
      sleep: async () => {},
      onReconnecting: ({ failure, reason }) => reconnects.push({ failure, reason }),
    };
    const followed: FollowedEvent[] = [];
    for await (const item of followEvents(options)) followed.push(item);
    expect(ids(followed)).toEqual(['log_1', 'log_2']);
    expect(polls).toEqual(['log_1', 'log_1', 'log_1']);
    expect(reconnects).toEqual([
      { failure: 1, reason: 'the server closed the stream' },
      { failure: 2, reason: 'socket hang up' },
      { failure: 1, reason: 'poll 1 failed' },
      { failure: 2, reason: 'poll 2 failed' },
    ]);
  });

  it('gives up past the limit in either state, naming what failed', async () => {
    const stop = new AbortController();
    const base = {
      signal: stop.signal,
      maxConsecutiveFailures: 2,
      delayMs: () => 0,
      sleep: async () => {},
    };
    const drain = async (options: FollowerOptions) => {
      for await (const _ of followEvents(options)) {
        // No events.
      }
    };
    await expect(
      drain({
        ...base,
        openStream: async () => {
          throw new Error('connect ECONNREFUSED');
        },
        poll: async () => [],
      }),
    ).rejects.toThrow('gave up after 2 failed reconnects: connect ECONNREFUSED');
    await expect(
      drain({
        ...base,
        openStream: async () => {
          throw Object.assign(new Error('Not Found'), { status: 404 });
        },
        poll: async () => {
          throw new Error('HTTP 503');
        },
      }),
    ).rejects.toThrow('gave up after 2 failed polls: HTTP 503');
  });

  it('gives up on a server that accepts each stream and closes it before saying anything', async () => {
    let opened = 0;
    const follow = async () => {
      for await (const _ of followEvents({
        signal: new AbortController().signal,
        maxConsecutiveFailures: 2,
        delayMs: () => 0,
        sleep: async () => {},
        openStream: async () => {
          opened++;
          if (opened > 10) throw new Error('still reconnecting after 10 streams');
          return (async function* () {})();
        },
        poll: async () => [],
      })) {
        // No events.
      }
    };
    await expect(follow()).rejects.toThrow('gave up after 2 failed reconnects: the server closed the stream');
    expect(opened).toBe(3);
  });
});

describe('followEvents: polling a server that sends items that are not events', () => {
  it('pauses between polls and warns once when every page holds only the same skipped item', async () => {
    const stop = new AbortController();
    const sleeps: number[] = [];
    const skipped: (string | undefined)[] = [];
    let polls = 0;
    for await (const _ of followEvents({
      signal: stop.signal,
      openStream: async () => {
        throw Object.assign(new Error('Not Found'), { status: 404 });
      },
      poll: async () => {
        polls++;
        if (polls === 5) stop.abort();
        return [42 as never];
      },
      pollIntervalMs: 7,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onSkipped: ({ position }) => skipped.push(position),
    })) {
      // No events.
    }
    expect(polls).toBe(5);
    expect(sleeps).toEqual([7, 7, 7, 7, 7]);
    expect(skipped).toEqual([undefined]);
  });

  it('warns about a new skipped item that arrives after the same last event', async () => {
    const stop = new AbortController();
    const skipped: (string | undefined)[] = [];
    const pages = [[42], [42, 'x'], [42, 'x', { id: 'log_1' }], []] as never[][];
    let polls = 0;
    const followed: FollowedEvent[] = [];
    for await (const item of followEvents({
      signal: stop.signal,
      openStream: async () => {
        throw Object.assign(new Error('Not Found'), { status: 404 });
      },
      poll: async () => {
        const page = pages[polls++] ?? [];
        if (polls === pages.length) stop.abort();
        return page;
      },
      sleep: async () => {},
      onSkipped: ({ position }) => skipped.push(position),
    })) {
      followed.push(item);
    }
    expect(ids(followed)).toEqual(['log_1']);
    expect(skipped).toEqual([undefined, undefined]);
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
