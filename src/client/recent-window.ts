import type { AuditEvent } from '../domain/event.js';

/** Events ingested after the given id, oldest first (the list API's `after`). */
export type EventsAfter = (afterId: string) => Promise<AuditEvent[]>;

export interface RecentWindow {
  /** True while a followed event may still repeat one of the recent events shown first. */
  readonly open: boolean;
  /**
   * Whether the event with this id was already shown. Called for each followed event, in order,
   * while the window is open; each shown id is let go when it repeats, and the window closes once
   * none is left. `eventsAfter` settles, once, whether the rest can still come.
   */
  isRepeat(id: string, eventsAfter?: EventsAfter): Promise<boolean>;
}

/**
 * The recent events (`audit tail -n`) are read once the stream is open, so those ingested in
 * between arrive on the stream too. The recent events are the newest by time, the stream sends
 * events in ingest order: the repeats come in any order among them, and events not shown can fall
 * between them. So an id is let go only when it repeats, and the window closes when no shown id
 * is left, or when the server says that none of those left comes after the current event.
 */
export function createRecentWindow(shownEvents: readonly AuditEvent[]): RecentWindow {
  let pending: Set<string> | undefined = new Set(shownEvents.map((event) => event.id));
  const lastShown = shownEvents.at(-1)?.id;
  let asked = false;
  if (lastShown === undefined) pending = undefined;
  const close = () => {
    pending = undefined;
  };
  return {
    get open() {
      return pending !== undefined;
    },
    async isRepeat(id, eventsAfter) {
      if (pending === undefined || lastShown === undefined) return false;
      if (pending.delete(id)) {
        if (pending.size === 0) close();
        return true;
      }
      if (eventsAfter && !asked) {
        // An event not shown is either new or older than some recent ones (more than -n were
        // ingested between the stream's start and the read). It is certainly past them all when
        // it is the first event the server has after the last one shown and no shown id still
        // awaited comes after that one (those ingested earlier were before the stream began).
        asked = true;
        const after = await eventsAfter(lastShown).catch(() => undefined);
        const left = pending;
        if (after?.[0]?.id === id && !after.some((event) => left.has(event.id))) close();
      }
      return false;
    },
  };
}
