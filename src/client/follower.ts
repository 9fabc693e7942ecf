import type { AuditEvent } from '../domain/event.js';
import {
  type BackOff,
  type BackOffOptions,
  createBackOff,
  isFinalPollFailure,
  onStreamOpenFailure,
} from './follower-backoff.js';
import { createRecentWindow, type RecentWindow } from './recent-window.js';
import { resumeGap } from './resume-gap.js';
import { createSseParser, type SseMessage } from './sse-parser.js';

export { FollowerGaveUpError, reconnectDelayMs } from './follower-backoff.js';
export type { ResumeGap } from './resume-gap.js';

export interface FollowerOptions extends BackOffOptions {
  /** Opens the live stream, resuming after `position` when given; rejects with `status` on HTTP errors. */
  openStream(position: string | undefined, signal: AbortSignal): Promise<AsyncIterable<string>>;
  /** The fallback when the server has no stream: events ingested after `afterId`, oldest first. */
  poll(afterId: string | undefined, signal: AbortSignal): Promise<AuditEvent[]>;
  signal: AbortSignal;
  /**
   * The recent events to show first (`audit tail -n`), oldest first. Read once the stream is
   * open, so that nothing can fall between them and the live feed; those that arrive on both
   * are shown once.
   */
  initial?(): Promise<AuditEvent[]>;
  pollIntervalMs?: number;
  /** Polling replaces the stream (said once the first poll works, so a 404 that ends it is not). */
  onPolling?(reason: string): void;
  /**
   * The server's log ends before the position the stream resumed from (it was restored from an
   * older copy of its database): the stream goes on from the log's end.
   */
  onPositionAhead?(): void;
  /**
   * An event that is not a JSON object was skipped. `position` is its SSE id as the server sent
   * it (undefined for one read from the list API): the server's text, not yet fit for a terminal.
   */
  onSkipped?(skipped: { position: string | undefined }): void;
}

/** An event as a follower receives it. */
export interface FollowedEvent {
  /** Its JSON exactly as the live stream sent it; undefined for events read from the list API. */
  readonly text: string | undefined;
  readonly event: AuditEvent;
}

/** The notice that the position resumed from is past the log's end; its id is the end's position. */
const POSITION_AHEAD_EVENT = 'position-ahead';

/** A follower is in one of two states: reading the live stream, or polling the list API. */
type State = 'stream' | 'poll';

/** What the states share: where to resume, and what was shown. */
interface Progress {
  /** The stream's last SSE id: where a reconnect resumes. */
  position: string | undefined;
  /** The id of the last event handed over: where polling starts after. */
  lastId: string | undefined;
  /** The recent events shown first, until the feed is past them; undefined before they are read. */
  window: RecentWindow | undefined;
  /** How many skipped items right after `lastId` polling already reported (a poll sends them again). */
  skipsReported: { after: string | undefined; count: number };
  /** The server refused the position: the stream restarted from the log's end. */
  positionForgotten: boolean;
  /** Why polling replaced the stream, until the first poll works and it is said. */
  pollingReason: string | undefined;
}

/**
 * New events, in order, for as long as the signal allows: over Server-Sent Events, resuming
 * from the last position after a dropped connection or a server restart (so nothing is skipped
 * or repeated), and falling back to polling with `after` when the server offers no stream.
 * Both states share one back-off; an event that is not a JSON object is skipped and reported.
 */
export async function* followEvents(options: FollowerOptions): AsyncGenerator<FollowedEvent> {
  const backOff = createBackOff(options);
  const progress: Progress = {
    position: undefined,
    lastId: undefined,
    window: undefined,
    skipsReported: { after: undefined, count: 0 },
    positionForgotten: false,
    pollingReason: undefined,
  };
  let state: State = 'stream';
  while (!options.signal.aborted) {
    const next: State =
      state === 'stream'
        ? yield* readStream(options, progress, backOff)
        : yield* pollOnce(options, progress, backOff);
    if (next !== state) {
      backOff.reset();
      state = next;
    }
  }
}

/** The recent events, once: after the stream first opens, or before the first poll. */
async function* showRecent(options: FollowerOptions, progress: Progress): AsyncGenerator<FollowedEvent> {
  if (progress.window) return;
  const recent = ((await options.initial?.()) ?? []).filter((event) => isEvent(event, undefined, options));
  progress.window = createRecentWindow(recent);
  for (const event of recent) {
    progress.lastId = event.id;
    yield { text: undefined, event };
  }
}

/** One connection: its events until it ends; the next state. */
async function* readStream(
  options: FollowerOptions,
  progress: Progress,
  backOff: BackOff,
): AsyncGenerator<FollowedEvent, State> {
  let chunks: AsyncIterable<string>;
  const resumedFrom = progress.position;
  try {
    chunks = await options.openStream(resumedFrom, options.signal);
  } catch (error) {
    if (options.signal.aborted) return 'stream';
    const next = onStreamOpenFailure(error, resumedFrom !== undefined);
    if (next === 'give-up') throw error;
    if (next === 'poll') {
      progress.pollingReason = `the server offers no event stream (HTTP ${(error as { status: number }).status})`;
      return 'poll';
    }
    if (next === 'forget-position') {
      // Started again from the log's end at once; what came in between cannot be known.
      progress.position = undefined;
      progress.positionForgotten = true;
      return 'stream';
    }
    await backOff.failed(describe(error), 'reconnects', error);
    return 'stream';
  }
  yield* showRecent(options, progress);
  const messages: SseMessage[] = [];
  let closingReason: string | undefined;
  // A connection counts as working once the server says something on it: one accepted and
  // closed at once is a failure like a refused one, toward the limit.
  let said = false;
  let heard = false;
  // Where the server said this stream starts; told once, before anything else.
  let startsAt: string | undefined;
  // The notice that the log ends before the position is said once, in the reconnect line or alone.
  let aheadSaid = false;
  const parser = createSseParser(
    (message) => {
      said = true;
      messages.push(message);
    },
    (comment) => {
      said = true;
      // Our server announces where a fresh stream starts, so a resume before the first event is exact.
      const announced = /^connected at position ([\w-]+)$/.exec(comment);
      if (announced) startsAt ??= announced[1];
      if (announced && progress.position === undefined) progress.position = announced[1];
      // ...and says why it ends a stream (a revoked token): plain words only reach the terminal.
      const closing = /^closed: ([\w .,;:'()/-]{1,200})$/.exec(comment);
      if (closing) closingReason = closing[1];
    },
  );
  const eventsAfter = (afterId: string) => options.poll(afterId, options.signal);
  let reason: string;
  try {
    for await (const chunk of chunks) {
      parser.push(chunk);
      // Back: said before the first event of the connection, with what its first words tell.
      if (said && !heard) {
        heard = true;
        const gap = resumeGap({
          positionRefused: progress.positionForgotten,
          resumedFrom,
          connectedBefore: backOff.connectedBefore,
          startsAt,
          noticedAhead: messages.some((message) => message.event === POSITION_AHEAD_EVENT),
        });
        aheadSaid = gap === 'position-ahead';
        progress.positionForgotten = false;
        backOff.recovered(gap);
      }
      for (const message of messages.splice(0)) {
        if (message.id !== undefined) progress.position = message.id;
        if (message.event === POSITION_AHEAD_EVENT && !aheadSaid) {
          aheadSaid = true;
          options.onPositionAhead?.();
        }
        // Events come as plain messages; a kind of message this client does not know is no event.
        if (message.event !== 'message') continue;
        const event = parseEvent(message.data);
        if (!isEvent(event, message.id, options)) continue;
        if (progress.window?.open && (await progress.window.isRepeat(event.id, eventsAfter))) continue;
        progress.lastId = event.id;
        yield { text: message.data, event };
      }
    }
    reason = closingReason ? `the server ended the stream: ${closingReason}` : 'the server closed the stream';
  } catch (error) {
    if (options.signal.aborted) return 'stream';
    reason = describe(error);
  }
  if (!options.signal.aborted) await backOff.failed(reason, 'reconnects');
  return 'stream';
}

/** One poll: the events after the last one handed over (at first, after tail started); the next state. */
async function* pollOnce(
  options: FollowerOptions,
  progress: Progress,
  backOff: BackOff,
): AsyncGenerator<FollowedEvent, State> {
  yield* showRecent(options, progress);
  let events: AuditEvent[];
  try {
    events = await options.poll(progress.lastId, options.signal);
  } catch (error) {
    if (options.signal.aborted) return 'poll';
    if (isFinalPollFailure(error)) throw error;
    await backOff.failed(describe(error), 'polls', error);
    return 'poll';
  }
  if (progress.pollingReason !== undefined) options.onPolling?.(progress.pollingReason);
  progress.pollingReason = undefined;
  // Polling resumes after the last event handed over: nothing is missed.
  backOff.recovered(undefined);
  const startId = progress.lastId;
  const earlier = progress.skipsReported.after === startId ? progress.skipsReported.count : 0;
  // Skipped items after the last event handed over come again on the next poll: each is reported once.
  let skipsSinceLast = 0;
  for (const event of events) {
    if (!isJsonObject(event)) {
      skipsSinceLast++;
      if (progress.lastId !== startId || skipsSinceLast > earlier)
        options.onSkipped?.({ position: undefined });
      continue;
    }
    const repeat = progress.window?.open && (await progress.window.isRepeat(event.id));
    progress.lastId = event.id;
    skipsSinceLast = 0;
    if (!repeat) yield { text: undefined, event };
  }
  const advanced = progress.lastId !== startId;
  progress.skipsReported = {
    after: progress.lastId,
    count: advanced ? skipsSinceLast : Math.max(earlier, skipsSinceLast),
  };
  // A page with nothing to hand over (empty, or only skipped items) waits before the next poll.
  if (!advanced) await options.sleep(options.pollIntervalMs ?? 2000, options.signal);
  return 'poll';
}

/** The event a message holds, or undefined when its data is not JSON. */
function parseEvent(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/**
 * Only a JSON object is an event: anything else (`[]`, `"x"`, `42`, text that is not JSON) is
 * skipped and reported, never handed over, whatever the output format.
 */
function isEvent(
  value: unknown,
  position: string | undefined,
  options: FollowerOptions,
): value is AuditEvent {
  if (isJsonObject(value)) return true;
  options.onSkipped?.({ position });
  return false;
}

function isJsonObject(value: unknown): value is AuditEvent {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
