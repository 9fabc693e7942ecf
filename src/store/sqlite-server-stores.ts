import { createDeliveryQueue, type DeliveryQueue } from './delivery-queue.js';
import { createGdprStore, type GdprStore } from './gdpr-store.js';
import { createReviewStore, type ReviewStore } from './review-store.js';
import { createServerSettings, type ServerSettings } from './server-settings.js';
import { createSealingReads, type SealingReads } from './sqlite-sealing.js';
import type { Stores } from './stores.js';
import { createWebhookStore, type WebhookStore } from './webhook-store.js';

/**
 * The SQLite stores only the running server calls (webhooks, the outbox, its settings, the security review, the tree sealer's reads, GDPR): built apart from
 * createStores, so an admin command, which never calls them, loads none of their modules (its
 * module budget) unless it asks for one.
 */
export interface ServerStores {
  webhooks: WebhookStore;
  deliveries: DeliveryQueue;
  settings: ServerSettings;
  review: ReviewStore;
  sealing: SealingReads;
  gdpr: GdprStore;
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
  };
}
