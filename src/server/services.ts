import type { Db } from '../store/database.js';
import { createDirectoryStore, type DirectoryStore } from '../store/directory-store.js';
import { createEventStore, type EventStore } from '../store/event-store.js';
import { createAuthFailureAuditor } from './auth-failure-auditor.js';
import { createEventRecorder, type EventRecorder } from './event-recorder.js';
import { createFollowerHub, type FollowerHub } from './follower-hub.js';

export interface Stores {
  db: Db;
  now: () => number;
  events: EventStore;
  directory: DirectoryStore;
  recorder: EventRecorder;
}

/** The stores and the recorder: what admin commands need, with no timers running. */
export function createStores(db: Db, now: () => number = Date.now, afterCommit?: () => void): Stores {
  const events = createEventStore(db);
  const directory = createDirectoryStore(db, now);
  return { db, now, events, directory, recorder: createEventRecorder(events, now, afterCommit) };
}

/** Everything a running server holds: the stores plus live followers and the auth-failure log. */
export function createServerServices(db: Db, options: { now?: () => number; followerPollMs?: number } = {}) {
  let hub: FollowerHub | undefined;
  const stores = createStores(db, options.now, () => hub?.poke());
  hub = createFollowerHub(stores.events, { pollIntervalMs: options.followerPollMs });
  const authFailures = createAuthFailureAuditor(stores.recorder, stores.now);
  const liveHub = hub;
  return {
    ...stores,
    hub: liveHub,
    authFailures,
    close(): void {
      liveHub.close();
      authFailures.close();
    },
  };
}

export type ServerServices = ReturnType<typeof createServerServices>;
