import { createDeliveryQueue, type DeliveryQueue } from './delivery-queue.js';
import { createExportChunkReader, type ExportChunkReader } from './export-chunk.js';
import { createGdprStore, type GdprStore } from './gdpr-store.js';
import { createExportLeafReader, type ExportLeafReader } from './merkle-export-leaves.js';
import { createLeafRowReader, type LeafRowReader } from './merkle-leaf-rows.js';
import { createReviewStore, type ReviewStore } from './review-store.js';
import { createServerSettings, type ServerSettings } from './server-settings.js';
import { createSealingReads, type SealingReads } from './sqlite-sealing.js';
import type { Stores } from './stores.js';
import { createWebhookStore, type WebhookStore } from './webhook-store.js';

/**
 * The SQLite stores only the running server calls (webhooks, the outbox, its settings, the
 * security review, the tree sealer's reads, GDPR, and the reads of the export and leaves routes):
 * built on top of createStores' graph, so an admin command, which never calls them, loads none of
 * their modules and prepares none of their statements (its module budget) unless it asks for one.
 */
export interface ServerStores {
  webhooks: WebhookStore;
  deliveries: DeliveryQueue;
  settings: ServerSettings;
  review: ReviewStore;
  sealing: SealingReads;
  gdpr: GdprStore;
  /** The graph's own events store with the streamed export's chunks added. */
  eventReads: Stores['events'] & ExportChunkReader;
  /** The graph's own Merkle store with the leaves route's rows and an export proof's leaves added. */
  merkleReads: Stores['merkle'] & LeafRowReader & ExportLeafReader;
}

/** The store graph as the running server holds it: createStores' own, with the server's reads. */
export interface ServedStores extends Omit<Stores, 'events' | 'merkle'> {
  events: ServerStores['eventReads'];
  merkle: ServerStores['merkleReads'];
}

export function createServerStores(stores: Stores): ServerStores {
  const { db, now } = stores;
  return {
    webhooks: createWebhookStore(db, now),
    deliveries: createDeliveryQueue(db),
    settings: createServerSettings(db),
    review: createReviewStore(db),
    sealing: createSealingReads(stores),
    gdpr: createGdprStore(db),
    // Added to the graph's own objects: whoever holds stores.events or stores.merkle holds them.
    eventReads: Object.assign(stores.events, createExportChunkReader(db)),
    merkleReads: Object.assign(stores.merkle, createLeafRowReader(db), createExportLeafReader(db)),
  };
}
