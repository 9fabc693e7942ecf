import type { AuditEvent } from '../domain/event.js';
import { createSseParser, type SseMessage } from './sse-parser.js';

export interface FollowerOptions {
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
  maxConsecutiveFailures?: number;
  pollIntervalMs?: number;
  delayMs(failure: number): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  onReconnecting?(info: { failure: number; delayMs: number; reason: string }): void;
  onPolling?(reason: string): void;
  /**
   * The server's log ends before the position the stream resumed from (it was restored from an
   * older copy of its database): the stream goes on from the log's end.
   */
  onPositionAhead?(): void;
}

export class FollowerGaveUpError extends Error {
  override readonly name = 'FollowerGaveUpError';
}

/** The stream sent an event that is not a JSON object. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

/** An event as a follower receives it. */
export interface FollowedEvent {
  /** Its JSON exactly as the live stream sent it; undefined for events read from the list API. */
  readonly text: string | undefined;
  /** The event itself; a streamed one is parsed when first asked for. */
  readonly event: AuditEvent;
}

/**
 * A streamed event, parsed only if someone asks: a printer of JSON lines passes `text` on, and
 * parsing was half of what a follower spent on an event (20 followers of one server, each
 * parsing every event, took more of two cores than the server did).
 */
class StreamedEvent implements FollowedEvent {
  #event: AuditEvent | undefined;
  constructor(
    readonly text: string,
    private readonly position: string | undefined,
  ) {}
  get event(): AuditEvent {
    if (this.#event === undefined) {
      let value: unknown;
      try {
        value = JSON.parse(this.text);
      } catch {
        value = undefined;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new MalformedEventError(
          `the server sent an event that is not a JSON object (stream position ${this.position ?? 'unknown'})`,
        );
      }
      this.#event = value as AuditEvent;
    }
    return this.#event;
  }
}

const listed = (event: AuditEvent): FollowedEvent => ({ text: undefined, event });

/** The notice that the position resumed from is past the log's end; its id is the end's position. */
const POSITION_AHEAD_EVENT = 'position-ahead';

// Statuses meaning "this server has no stream": fall back to polling rather than retrying.
const STREAM_UNAVAILABLE = new Set([404, 405, 406, 501]);

/**
 * New events, in order, for as long as the signal allows: over Server-Sent Events, resuming
 * from the last position after a dropped connection or a server restart (so nothing is skipped
 * or repeated), and falling back to polling with `after` when the server offers no stream.
 */
export async function* followEvents(options: FollowerOptions): AsyncGenerator<FollowedEvent> {
  const maxFailures = options.maxConsecutiveFailures ?? 10;
  const shown = new Set<string>();
  let lastShownId: string | undefined;
  let initialDone = false;
  async function* showInitial(): AsyncGenerator<FollowedEvent> {
    if (initialDone) return;
    initialDone = true;
    for (const event of (await options.initial?.()) ?? []) {
      shown.add(event.id);
      lastShownId = event.id;
      yield listed(event);
    }
  }
  let position: string | undefined;
  let failures = 0;
  let lastReason = '';

  const backOff = async (reason: string) => {
    failures++;
    lastReason = reason;
    if (failures > maxFailures) {
      throw new FollowerGaveUpError(`gave up after ${maxFailures} failed reconnects: ${reason}`);
    }
    const delayMs = options.delayMs(failures);
    options.onReconnecting?.({ failure: failures, delayMs, reason });
    await options.sleep(delayMs, options.signal);
  };

  while (!options.signal.aborted) {
    let chunks: AsyncIterable<string>;
    try {
      chunks = await options.openStream(position, options.signal);
    } catch (error) {
      if (options.signal.aborted) return;
      const status = (error as { status?: number }).status;
      if (status !== undefined && STREAM_UNAVAILABLE.has(status)) {
        options.onPolling?.(`the server offers no event stream (HTTP ${status})`);
        yield* showInitial();
        yield* pollEvents(options, shown, lastShownId, maxFailures);
        return;
      }
      // Authentication and permission problems will not heal by retrying.
      if (status === 400 || status === 401 || status === 403) throw error;
      await backOff(describe(error));
      continue;
    }
    failures = 0;
    yield* showInitial();
    const messages: SseMessage[] = [];
    let closingReason: string | undefined;
    const parser = createSseParser(
      (message) => messages.push(message),
      (comment) => {
        // Our server announces where a fresh stream starts, so a resume before the first event is exact.
        const announced = /^connected at position ([\w-]+)$/.exec(comment);
        if (announced && position === undefined) position = announced[1];
        // ...and says why it ends a stream (a revoked token): plain words only reach the terminal.
        const closing = /^closed: ([\w .,;:'()/-]{1,200})$/.exec(comment);
        if (closing) closingReason = closing[1];
      },
    );
    try {
      for await (const chunk of chunks) {
        parser.push(chunk);
        for (const message of messages.splice(0)) {
          if (message.id !== undefined) position = message.id;
          if (message.event === POSITION_AHEAD_EVENT) options.onPositionAhead?.();
          // Events come as plain messages; a kind of message this client does not know is no event.
          if (message.event !== 'message') continue;
          const followed = new StreamedEvent(message.data, message.id);
          // Only the recent events shown first can arrive twice; without them, nothing is parsed here.
          if (shown.size === 0 || !shown.has(followed.event.id)) yield followed;
        }
      }
      lastReason = closingReason
        ? `the server ended the stream: ${closingReason}`
        : 'the server closed the stream';
    } catch (error) {
      if (options.signal.aborted) return;
      // Reconnecting would resume after the bad event and skip it: say so and stop instead.
      if (error instanceof MalformedEventError) throw error;
      lastReason = describe(error);
    }
    if (options.signal.aborted) return;
    await backOff(lastReason);
  }
}

async function* pollEvents(
  options: FollowerOptions,
  shown: ReadonlySet<string>,
  lastShownId: string | undefined,
  maxFailures: number,
): AsyncGenerator<FollowedEvent> {
  let afterId = lastShownId;
  let failures = 0;
  while (!options.signal.aborted) {
    try {
      const events = await options.poll(afterId, options.signal);
      failures = 0;
      for (const event of events) {
        afterId = event.id;
        if (!shown.has(event.id)) yield listed(event);
      }
      if (events.length > 0) continue;
      await options.sleep(options.pollIntervalMs ?? 2000, options.signal);
    } catch (error) {
      if (options.signal.aborted) return;
      failures++;
      if (failures > maxFailures)
        throw new FollowerGaveUpError(`gave up after ${maxFailures} failed polls: ${describe(error)}`);
      const delayMs = options.delayMs(failures);
      options.onReconnecting?.({ failure: failures, delayMs, reason: describe(error) });
      await options.sleep(delayMs, options.signal);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
