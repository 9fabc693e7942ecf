import type { AuditEvent } from '../domain/event.js';

/** Events ingested after the given id, oldest first (the list API's `after`). */
export type EventsAfter = (afterId: string) => Promise<AuditEvent[]>;

export interface RecentWindow {
  /** True while a followed event may still repeat one of the recent events shown first. */
  readonly open: boolean;
  /**
   * Whether the event with this id was already shown. Called for each followed event, in order,
   * while the window is open; it closes (and lets go of the shown ids) once the feed is past the
   * last recent event. `eventsAfter` settles, once, the case the order alone cannot.
   */
  isRepeat(id: string, eventsAfter?: EventsAfter): Promise<boolean>;
}

/**
 * The recent events (`audit tail -n`) are read once the stream is open, so those ingested in
 * between arrive on the stream too. The stream sends events in ingest order, and the recent ones
 * are the newest that matched, so what it sends is: events older than all of them (only when
 * more than -n arrived in between), then the repeats, ending with the last one shown, then new
 * events. Past that last one, or past the first new event, nothing can repeat.
 */
export function createRecentWindow(shownEvents: readonly AuditEvent[]): RecentWindow {
  let shown: Set<string> | undefined = new Set(shownEvents.map((event) => event.id));
  const lastShown = shownEvents.at(-1)?.id;
  let repeatsBegan = false;
  let asked = false;
  if (lastShown === undefined) shown = undefined;
  const close = () => {
    shown = undefined;
  };
  return {
    get open() {
      return shown !== undefined;
    },
    async isRepeat(id, eventsAfter) {
      if (shown === undefined || lastShown === undefined) return false;
      if (shown.has(id)) {
        repeatsBegan = true;
        if (id === lastShown) close();
        return true;
      }
      // After a repeat, an event not shown is newer than every recent one.
      if (repeatsBegan) close();
      else if (eventsAfter && !asked) {
        // Before any repeat, an event not shown is either new (nothing was ingested between the
        // stream's start and the read of the recent events) or older than them: it is new
        // exactly when it is the first event the server has after the last one shown.
        asked = true;
        const after = await eventsAfter(lastShown).catch(() => []);
        if (after[0]?.id === id) close();
      }
      return false;
    },
  };
}
