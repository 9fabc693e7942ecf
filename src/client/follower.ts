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
}

export class FollowerGaveUpError extends Error {}

// The JSON text each streamed event arrived as, so a printer of JSON lines can pass it on
// instead of serializing the parsed event again.
const streamTexts = new WeakMap<AuditEvent, string>();

/** The JSON text `event` arrived as on the live stream, if it came from there. */
export function streamTextOf(event: AuditEvent): string | undefined {
  return streamTexts.get(event);
}

// Statuses meaning "this server has no stream": fall back to polling rather than retrying.
const STREAM_UNAVAILABLE = new Set([404, 405, 406, 501]);

/**
 * New events, in order, for as long as the signal allows: over Server-Sent Events, resuming
 * from the last position after a dropped connection or a server restart (so nothing is skipped
 * or repeated), and falling back to polling with `after` when the server offers no stream.
 */
export async function* followEvents(options: FollowerOptions): AsyncGenerator<AuditEvent> {
  const maxFailures = options.maxConsecutiveFailures ?? 10;
  const shown = new Set<string>();
  let lastShownId: string | undefined;
  let initialDone = false;
  async function* showInitial(): AsyncGenerator<AuditEvent> {
    if (initialDone) return;
    initialDone = true;
    for (const event of (await options.initial?.()) ?? []) {
      shown.add(event.id);
      lastShownId = event.id;
      yield event;
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
    const parser = createSseParser(
      (message) => messages.push(message),
      (comment) => {
        // Our server announces where a fresh stream starts, so a resume before the first event is exact.
        const announced = /^connected at position (\d+)$/.exec(comment);
        if (announced && position === undefined) position = announced[1];
      },
    );
    try {
      for await (const chunk of chunks) {
        parser.push(chunk);
        for (const message of messages.splice(0)) {
          if (message.id !== undefined) position = message.id;
          const event = JSON.parse(message.data) as AuditEvent;
          streamTexts.set(event, message.data);
          if (!shown.has(event.id)) yield event;
        }
      }
      lastReason = 'the server closed the stream';
    } catch (error) {
      if (options.signal.aborted) return;
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
): AsyncGenerator<AuditEvent> {
  let afterId = lastShownId;
  let failures = 0;
  while (!options.signal.aborted) {
    try {
      const events = await options.poll(afterId, options.signal);
      failures = 0;
      for (const event of events) {
        afterId = event.id;
        if (!shown.has(event.id)) yield event;
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
