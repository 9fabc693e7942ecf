import type { Db } from './database.js';
import { createDeliveryQueue, type DeliveryQueue } from './delivery-queue.js';
import { createReviewStore, type ReviewStore } from './review-store.js';
import { createServerSettings, type ServerSettings } from './server-settings.js';
import { createWebhookStore, type WebhookStore } from './webhook-store.js';

/**
 * The SQLite stores only the running server calls (webhooks, the outbox, its settings, the security review): built apart from
 * createStores, so an admin command, which never calls them, loads none of their modules (its
 * module budget) unless it asks for one.
 */
export interface ServerStores {
  webhooks: WebhookStore;
  deliveries: DeliveryQueue;
  settings: ServerSettings;
  review: ReviewStore;
}

export function createServerStores(db: Db, now: () => number): ServerStores {
  return {
    webhooks: createWebhookStore(db, now),
    deliveries: createDeliveryQueue(db),
    settings: createServerSettings(db),
    review: createReviewStore(db),
  };
}
