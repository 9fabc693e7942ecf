import type { AuditEvent } from '../domain/event.js';
import type { StoredEvent } from '../store/event-rows.js';
import type { EventPort } from '../store/port.js';

export interface Follower {
  orgId: number;
  /** The position the follower has everything up to: the hub reads its organization from here. */
  afterSeq: number;
  accepts: (event: AuditEvent) => boolean;
  /** New events in order; the same array for every follower that accepts all of a batch. */
  deliver: (events: readonly StoredEvent[]) => void;
  close: () => void;
}

const READ_CHUNK = 1000;

/**
 * Fans new events out to live followers. The ingest path pokes the hub after each commit; the
 * hub reads each followed organization's new rows once and tests them against each follower's
 * filter in memory, so a thousand followers cost one query an organization, not a thousand. A
 * slow timer pokes it too, to pick up events that another process (the `audit server` admin
 * commands) wrote to the same database.
 *
 * Positions are per organization (store/port.ts), so is the hub's mark of what it published.
 * An organization's mark starts at its first follower's position and goes when its last
 * follower leaves; it never moves back. A follower may be delivered events it already has (the
 * stream route drops them by position), never fewer of those committed after it subscribed:
 * anything the hub reads after that reaches it. What a follower lacks below the mark it reads
 * itself (the stream route's catch-up), so a client resuming from an old position cannot make
 * the hub read the organization's history again and push it at every other follower.
 */
export function createFollowerHub(
  events: Pick<EventPort, 'readFrom'>,
  options: {
    pollIntervalMs?: number;
    /** Sees each batch before any follower does, and may end followers (see stream-registry). */
    beforeDeliver?: (batch: readonly StoredEvent[]) => Promise<void> | void;
    /** Told of a read that failed; the next poke tries again. */
    onError?: (error: unknown) => void;
  } = {},
) {
  const followers = new Map<number, Set<Follower>>();
  const published = new Map<number, number>();
  let running: Promise<void> | undefined;
  let again = false;
  const timer = setInterval(() => poke(), options.pollIntervalMs ?? 1000);
  timer.unref();

  /** Reads and delivers what is new; a poke while a round runs asks for one more round. */
  function poke(): void {
    if (running) {
      again = true;
      return;
    }
    running = publishAll()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          poke();
        }
      });
  }

  async function publishAll(): Promise<void> {
    for (const orgId of [...followers.keys()]) await publish(orgId);
  }

  async function publish(orgId: number): Promise<void> {
    for (;;) {
      const after = published.get(orgId);
      if (after === undefined) return;
      const batch = await events.readFrom(orgId, after, READ_CHUNK);
      const present = followers.get(orgId);
      if (batch.length === 0 || !present) return;
      published.set(orgId, (batch.at(-1) as StoredEvent).seq);
      await options.beforeDeliver?.(batch);
      for (const follower of present) {
        const matching = batch.filter((stored) => follower.accepts(stored.event));
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
    /** Whether a round of reads is under way: what a test waits for before it looks. */
    settle: async (): Promise<void> => {
      while (running) await running;
    },
    subscribe(follower: Follower): () => void {
      const present = followers.get(follower.orgId) ?? new Set<Follower>();
      followers.set(follower.orgId, present);
      present.add(follower);
      // Only a first follower sets the mark: lowering it would re-read history for everyone.
      if (!published.has(follower.orgId)) published.set(follower.orgId, follower.afterSeq);
      poke();
      return () => {
        present.delete(follower);
        if (present.size > 0 || followers.get(follower.orgId) !== present) return;
        followers.delete(follower.orgId);
        published.delete(follower.orgId);
      };
    },
    /** The organizations followed here: whose commits elsewhere this instance must hear of. */
    organizations: (): number[] => [...followers.keys()],
    followerCount: () => [...followers.values()].reduce((count, present) => count + present.size, 0),
    close(): void {
      clearInterval(timer);
      for (const present of followers.values()) for (const follower of present) follower.close();
      followers.clear();
      published.clear();
    },
  };
}

export type FollowerHub = ReturnType<typeof createFollowerHub>;
