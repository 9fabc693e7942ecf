import { describe, expect, it } from 'vitest';
import { AuditResponseError } from '../../src/client/errors.js';
import { type FollowerOptions, followEvents, type ResumeGap } from '../../src/client/follower.js';
import { RECONNECT_CAP_MS, reconnectDelayMs } from '../../src/client/follower-backoff.js';

const P1 = 'P1____________________';
const P2 = 'P2____________________';
const END = 'END___________________';

/** A stream that says `words` (SSE text, one chunk each) and then ends. */
const streamOf = (...words: string[]) =>
  (async function* () {
    yield* words;
  })();

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const answered = (status: number, extra: object = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { status, ...extra });

interface Run {
  ids: string[];
  positions: (string | undefined)[];
  sleeps: number[];
  reconnected: { failures: number; first: boolean; gap: ResumeGap | undefined }[];
  aheadWarnings: number;
  polling: string[];
  error: unknown;
}

/**
 * Follows with `openStream(call, position)` answering each connection attempt, until `stop`
 * is called; failures wait `1000 × failure` ms unless the server asked otherwise.
 */
async function follow(
  openStream: (
    call: number,
    position: string | undefined,
    stop: () => void,
  ) => Promise<AsyncIterable<string>>,
  extra: Partial<FollowerOptions> = {},
): Promise<Run> {
  const controller = new AbortController();
  const run: Run = {
    ids: [],
    positions: [],
    sleeps: [],
    reconnected: [],
    aheadWarnings: 0,
    polling: [],
    error: undefined,
  };
  try {
    for await (const item of followEvents({
      signal: controller.signal,
      openStream: async (position) => {
        run.positions.push(position);
        return openStream(run.positions.length, position, () => controller.abort());
      },
      poll: async () => [],
      delayMs: (failure) => failure * 1000,
      sleep: async (ms) => {
        run.sleeps.push(ms);
      },
      onReconnected: (info) => run.reconnected.push(info),
      onPositionAhead: () => run.aheadWarnings++,
      onPolling: (reason) => run.polling.push(reason),
      ...extra,
    })) {
      run.ids.push(item.event.id);
    }
  } catch (error) {
    run.error = error;
  }
  return run;
}

describe('followEvents through an outage', () => {
  it('keeps trying past any number of failures by default, resumes by position, and says once that it is back with nothing missed', async () => {
    const run = await follow(async (call, position, stop) => {
      if (call === 1)
        return streamOf(`: connected at position ${P1}\n\n`, `id: ${P2}\ndata: {"id":"log_1"}\n\n`);
      if (call <= 41) throw refused();
      stop();
      return streamOf(`: connected at position ${position}\n\n`, `id: P3\ndata: {"id":"log_2"}\n\n`);
    });
    expect(run.error).toBeUndefined();
    expect(run.ids).toEqual(['log_1', 'log_2']);
    // The stream's end, then 40 refused attempts: 41 failures in a row, and no end to trying.
    expect(run.sleeps).toHaveLength(41);
    expect(run.positions.at(-1)).toBe(P2);
    expect(run.reconnected).toEqual([{ failures: 41, first: false, gap: undefined }]);
  });

  it('says "connected", not "reconnected", when the server was away from the start', async () => {
    const run = await follow(async (call, _position, stop) => {
      if (call <= 3) throw refused();
      stop();
      return streamOf(`: connected at position ${P1}\n\n`);
    });
    expect(run.reconnected).toEqual([{ failures: 3, first: true, gap: undefined }]);
  });

  it.each([503, 429])(
    'waits as long as a %i asks with Retry-After, over its own back-off',
    async (status) => {
      const run = await follow(async (call, _position, stop) => {
        if (call === 1) throw answered(status, { retryAfterMs: 7000 });
        if (call === 2) throw answered(500, { retryAfterMs: 9000 });
        stop();
        return streamOf(`: connected at position ${P1}\n\n`);
      });
      expect(run.sleeps).toEqual([7000, 2000]);
    },
  );

  it.each([401, 403, 400])(
    'stops at once, without waiting, when reconnecting is answered %i',
    async (status) => {
      const run = await follow(async (call) => {
        if (call === 1) return streamOf(`: connected at position ${P1}\n\n`);
        if (call === 2) throw refused();
        throw answered(status);
      });
      expect((run.error as { status?: number }).status).toBe(status);
      expect(run.sleeps).toEqual([1000, 2000]);
      expect(run.positions).toHaveLength(3);
    },
  );

  it('ends polling on a 404 (the organization is gone) without retrying, and never says it is polling', async () => {
    const run = await follow(
      async () => {
        throw answered(404);
      },
      {
        poll: async () => {
          throw answered(404);
        },
      },
    );
    expect((run.error as { status?: number }).status).toBe(404);
    expect(run.sleeps).toEqual([]);
    expect(run.polling).toEqual([]);
  });

  it('ends polling on an answer that is no list, without retrying', async () => {
    const notAList = new AuditResponseError({
      kind: 'not-json',
      status: 200,
      contentType: 'text/html',
      method: 'GET',
      url: 'http://x/',
    });
    const run = await follow(
      async () => {
        throw answered(404);
      },
      {
        poll: async () => {
          throw notAList;
        },
      },
    );
    expect(run.error).toBe(notAList);
    expect(run.sleeps).toEqual([]);
  });
});

describe('followEvents: whether events may be missing after a reconnect', () => {
  it('says they may be when the server starts the resumed stream elsewhere, even with its notice in a later packet, and warns only once', async () => {
    const run = await follow(async (call, _position, stop) => {
      if (call === 1)
        return streamOf(`: connected at position ${P1}\n\n`, `id: ${P2}\ndata: {"id":"log_1"}\n\n`);
      stop();
      return streamOf(
        `: connected at position ${END}\n\n`,
        `event: position-ahead\nid: ${END}\ndata: {"position":"${END}"}\n\n`,
      );
    });
    expect(run.reconnected).toEqual([{ failures: 1, first: false, gap: 'position-ahead' }]);
    expect(run.aheadWarnings).toBe(0);
  });

  it('starts afresh at once when the server does not know the position, and says events may be missing', async () => {
    const run = await follow(async (call, _position, stop) => {
      if (call === 1) return streamOf(`: connected at position ${P1}\n\n`);
      if (call === 2)
        throw answered(400, {
          problem: { type: 'https://audit.dev/problems/invalid-parameter', param: 'Last-Event-ID' },
        });
      stop();
      return streamOf(`: connected at position ${END}\n\n`);
    });
    expect(run.error).toBeUndefined();
    expect(run.positions).toEqual([undefined, P1, undefined]);
    expect(run.sleeps).toEqual([1000]);
    expect(run.reconnected).toEqual([{ failures: 1, first: false, gap: 'position-unknown' }]);
  });

  it('promises nothing when a server does not say where the resumed stream starts', async () => {
    const run = await follow(async (call, _position, stop) => {
      if (call === 1) return streamOf(`id: ${P2}\ndata: {"id":"log_1"}\n\n`);
      stop();
      return streamOf(`id: P3\ndata: {"id":"log_2"}\n\n`);
    });
    expect(run.ids).toEqual(['log_1', 'log_2']);
    expect(run.reconnected).toEqual([{ failures: 1, first: false, gap: 'unconfirmed' }]);
  });
});

describe('reconnectDelayMs', () => {
  it('waits up to 0.5 s, then up to twice as long after each failure, up to 30 s (full jitter)', () => {
    const failures = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1000];
    expect(failures.map((failure) => reconnectDelayMs(failure, { random: () => 0 }))).toEqual(
      failures.map(() => 0),
    );
    expect(failures.map((failure) => reconnectDelayMs(failure, { random: () => 0.999_999 }))).toEqual([
      499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999, 29_999,
    ]);
    expect(RECONNECT_CAP_MS).toBe(30_000);
  });

  it('never waits longer than a smaller cap (AUDIT_TAIL_RETRY_MAX_MS)', () => {
    expect(reconnectDelayMs(12, { capMs: 200, random: () => 0.999_999 })).toBe(199);
    expect(reconnectDelayMs(1, { capMs: 200, random: () => 0.5 })).toBe(100);
  });
});

describe('followEvents: an outage that ends in polling', () => {
  it('says it is back once the first poll works after failures, though the count toward the limit restarted', async () => {
    const controller = new AbortController();
    const reconnected: { failures: number; first: boolean; gap: ResumeGap | undefined }[] = [];
    let opened = 0;
    let polls = 0;
    for await (const _ of followEvents({
      signal: controller.signal,
      openStream: async () => {
        opened++;
        if (opened === 1) return streamOf(`: connected at position ${P1}\n\n`);
        if (opened === 2) throw refused();
        throw answered(404);
      },
      poll: async () => {
        polls++;
        if (polls === 1) throw refused();
        controller.abort();
        return [];
      },
      delayMs: () => 0,
      sleep: async () => {},
      onReconnected: (info) => reconnected.push(info),
    })) {
      // No events.
    }
    expect(reconnected).toEqual([{ failures: 3, first: false, gap: undefined }]);
  });
});
