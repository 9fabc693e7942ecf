import type { AuditEvent } from '../domain/event.js';
import type { StoredEvent } from '../store/event-rows.js';
import type { EventStore } from '../store/event-store.js';

export interface Follower {
  orgId: number;
  accepts: (event: AuditEvent) => boolean;
  /** New events in order; the same array for every follower that accepts all of a batch. */
  deliver: (events: readonly StoredEvent[]) => void;
  close: () => void;
}

const READ_CHUNK = 1000;

/**
 * Fans new events out to live followers. The ingest path pokes the hub after each commit; the
 * hub reads the new rows once and tests them against each follower's filter in memory, so a
 * thousand followers cost one query, not a thousand. A slow timer pokes it too, to pick up
 * events that another process (the `audit server` admin commands) wrote to the same file.
 */
export function createFollowerHub(
  events: EventStore,
  options: {
    pollIntervalMs?: number;
    /** Sees each batch before any follower does, and may end followers (see stream-registry). */
    beforeDeliver?: (batch: readonly StoredEvent[]) => void;
  } = {},
) {
  const followers = new Set<Follower>();
  let publishedSeq = events.maxSeq();
  const timer = setInterval(() => poke(), options.pollIntervalMs ?? 1000);
  timer.unref();

  function poke(): void {
    if (followers.size === 0) {
      publishedSeq = events.maxSeq();
      return;
    }
    for (;;) {
      const batch = events.readFrom(publishedSeq, READ_CHUNK);
      if (batch.length === 0) return;
      publishedSeq = (batch.at(-1) as StoredEvent).seq;
      options.beforeDeliver?.(batch);
      for (const follower of followers) {
        const matching = batch.filter(
          (stored) => stored.orgId === follower.orgId && follower.accepts(stored.event),
        );
        // Followers that take the whole batch get the batch itself, so what they send can be
        // made once for all of them (see the stream route).
        if (matching.length === batch.length) follower.deliver(batch);
        else if (matching.length) follower.deliver(matching);
      }
      if (batch.length < READ_CHUNK) return;
    }
  }

  return {
    poke,
    subscribe(follower: Follower): () => void {
      followers.add(follower);
      return () => followers.delete(follower);
    },
    followerCount: () => followers.size,
    close(): void {
      clearInterval(timer);
      for (const follower of followers) follower.close();
      followers.clear();
    },
  };
}

export type FollowerHub = ReturnType<typeof createFollowerHub>;
