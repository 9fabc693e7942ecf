import type { ClaimedDelivery } from '../store/delivery-queue.js';
import type { Engine, WriteScope } from '../store/port.js';
import { type RetryPolicy, retryDelayMs, retryPolicy } from './backoff.js';
import { buildOutgoing } from './message.js';
import { createWebhookSender, type SendResult, type WebhookSender } from './sender.js';

export interface WebhookWorkerOptions {
  now?: () => number;
  /** First retry delay; doubles per failure up to 2 h. Default 30 s. */
  retryBaseMs?: number;
  /** Attempts before a delivery is marked failed. Default: as many as span about a day. */
  maxAttempts?: number;
  /** Per request: connect, answer and body. Default 10 s. */
  timeoutMs?: number;
  /** Let webhooks reach loopback, private and link-local addresses (--webhook-allow-private). */
  allowPrivate?: boolean;
  /** How often the outbox is checked without a poke (retries, events other processes wrote). */
  pollIntervalMs?: number;
  random?: () => number;
  onError?: (error: unknown) => void;
}

/** Requests in flight at once, in all and per webhook: one slow receiver cannot take every slot. */
const MAX_IN_FLIGHT = 32;
const MAX_IN_FLIGHT_PER_WEBHOOK = 4;
/** A lease outlives the request's own timeout by this much before another attempt may start. */
const LEASE_MARGIN_MS = 5_000;

export type WebhookWorker = ReturnType<typeof createWebhookWorker>;

/**
 * Sends the outbox. It runs beside the API in the server process and never blocks it: ingest
 * only pokes it (the work starts on a later turn of the event loop), and each delivery is an
 * async request with a timeout. Failures are retried with exponential backoff until the policy
 * gives up; a stop releases what is in flight so a restart sends it again at once.
 */
export function createWebhookWorker(engine: Engine, options: WebhookWorkerOptions = {}) {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const onError = options.onError ?? (() => {});
  const policy: RetryPolicy = retryPolicy({ baseMs: options.retryBaseMs, maxAttempts: options.maxAttempts });
  const sender: WebhookSender = createWebhookSender({
    timeoutMs: options.timeoutMs,
    allowPrivate: options.allowPrivate,
  });
  const inFlight = new Map<number, number>();
  let stopped = false;
  let scheduled = false;
  let ticking = false;
  let pokedWhileTicking = false;
  const timer = setInterval(poke, options.pollIntervalMs ?? 500);
  timer.unref();

  function poke(): void {
    if (stopped || scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void tick();
    });
  }

  /** Leases what is due, in one write (which may wait for another process's lock), then sends it. */
  async function tick(): Promise<void> {
    if (stopped) return;
    if (ticking) {
      pokedWhileTicking = true;
      return;
    }
    ticking = true;
    try {
      // Looked for without the lock: an idle poll takes no write lock.
      if ((await engine.stores.deliveries.dueWebhooks(now())).length === 0) return;
      const claimed = await engine.write((tx) => claimDue(tx, now()));
      for (const delivery of claimed) void deliver(delivery);
    } catch (error) {
      // A busy or closing database: the next poke or tick tries again.
      if (!stopped) onError(error);
    } finally {
      ticking = false;
      if (pokedWhileTicking) {
        pokedWhileTicking = false;
        poke();
      }
    }
  }

  async function claimDue(tx: WriteScope, at: number): Promise<ClaimedDelivery[]> {
    const claimed: ClaimedDelivery[] = [];
    for (const webhookRowId of await tx.deliveries.dueWebhooks(at)) {
      const free = MAX_IN_FLIGHT - inFlight.size - claimed.length;
      if (free <= 0) break;
      const busy =
        [...inFlight.values()].filter((id) => id === webhookRowId).length +
        claimed.filter((delivery) => delivery.webhookRowId === webhookRowId).length;
      const limit = Math.min(free, MAX_IN_FLIGHT_PER_WEBHOOK - busy);
      const leaseUntil = at + sender.timeoutMs + LEASE_MARGIN_MS;
      claimed.push(...(await tx.deliveries.claim(webhookRowId, at, limit, leaseUntil)));
    }
    return claimed;
  }

  async function deliver(claimed: ClaimedDelivery): Promise<void> {
    inFlight.set(claimed.id, claimed.webhookRowId);
    try {
      const outgoing = buildOutgoing(claimed, claimed.event, String(claimed.id), now());
      const result = await sender.send(outgoing);
      if (!stopped) await engine.write((tx) => settle(tx, claimed, result));
    } catch (error) {
      onError(error);
    } finally {
      inFlight.delete(claimed.id);
      poke();
    }
  }

  function settle(tx: WriteScope, claimed: ClaimedDelivery, result: SendResult): Promise<void> {
    const { deliveries } = tx;
    if (result.ok && result.status !== null) return deliveries.delivered(claimed.id, result.status, now());
    const attempts = claimed.attempts + 1;
    const error = result.error ?? 'failed';
    if (attempts >= policy.maxAttempts) return deliveries.failed(claimed.id, result.status, error);
    return deliveries.retryAt(
      claimed.id,
      now() + retryDelayMs(attempts, policy, random),
      result.status,
      error,
    );
  }

  return {
    poke,
    sender,
    policy,
    inFlightCount: () => inFlight.size,
    /**
     * Stops timers and requests; what was in flight is due again for the next start. Settles
     * once the leases are given back (close the database after): if the lock stays taken, or
     * the database is gone, the leases simply expire.
     */
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      sender.close().catch(onError);
      if (inFlight.size === 0) return;
      const ids = [...inFlight.keys()];
      await engine.write((tx) => tx.deliveries.release(ids, now())).catch(onError);
    },
  };
}
