import type { EventInput } from '../../domain/event.js';
import type { IngestResult } from '../event-ingest.js';
import { normalizeInputs } from '../event-recorder.js';
import type { EventPort, StorePort } from '../port.js';
import { openWithKey, webhookSecretLabel } from '../secret-box.js';
import { createPgDeliveryQueue } from './delivery-queue.js';
import { createPgDirectory, type Transact } from './directory.js';
import { createPgEventIngest, ingestInTransaction, type PgEventIngestOptions } from './event-ingest.js';
import { createPgEventReads } from './event-reads.js';
import { createPgGdpr } from './gdpr.js';
import { asWriteLockTimeout, beginWithLockTimeout } from './lock-wait.js';
import { createPgMerkle } from './merkle.js';
import { inTransaction, type PgClient, type PgPool, type Queryable } from './pool.js';
import { createPgRetention, purgeInTransaction } from './retention.js';
import { createPgReview } from './review.js';
import { createPgSealing } from './sealing.js';
import { createPgStats } from './stats.js';
import { createPgWebhooks } from './webhooks.js';

/** Where a port's statements run: the pool (each on a connection of its own), a read, or a write. */
export type PgBinding =
  | { mode: 'pool'; pool: PgPool }
  | { mode: 'read'; client: Queryable }
  | {
      mode: 'write';
      client: Queryable;
      /** Told of each batch this write stored: the organization and its last position. */
      advanced: (orgId: number, last: number) => void;
    };

export interface PgPortContext {
  pool: PgPool;
  now: () => number;
  ingest: PgEventIngestOptions;
  /** Opens sealed settings and webhook secrets (engine.ts PgEngineOptions.secretsKey). */
  secretsKey?: Buffer | undefined;
}

/** The secrets key, or an error naming what needed it when the engine was opened without one. */
export function secretsKeyOf(context: PgPortContext, purpose: string): Buffer {
  if (!context.secretsKey) {
    throw new Error(`${purpose} needs the secrets key; this PostgreSQL engine was opened without it`);
  }
  return context.secretsKey;
}

const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY';

/**
 * The store port over one binding. On the pool, a multi-statement call opens a transaction of
 * its own (the ingest, the purge, the directory's upserts, the stats' one snapshot); inside a
 * read or a write it runs on that transaction's client.
 */
export function pgStorePort(binding: PgBinding, context: PgPortContext): StorePort {
  const db: Queryable = binding.mode === 'pool' ? binding.pool : binding.client;
  const reads = createPgEventReads(db);
  const standalone = binding.mode === 'pool' ? createPgEventIngest(binding.pool, context.ingest) : undefined;
  const retention =
    binding.mode === 'pool' ? createPgRetention(binding.pool, context.ingest.lockTimeoutMs) : undefined;

  const transact = transactOf(binding, context.ingest.lockTimeoutMs ?? 5000);
  const webhookKey = () => secretsKeyOf(context, 'webhook secrets');
  const refuseInRead = (method: string) =>
    Promise.reject(new Error(`${method} writes, and Engine.read's transaction is read-only`));

  async function ingest(orgId: number, events: Parameters<EventPort['ingest']>[1], receivedAt: number) {
    if (standalone) return standalone.ingest(orgId, events, receivedAt);
    if (binding.mode !== 'write') return refuseInRead('events.ingest');
    const { result, end } = await ingestInTransaction(binding.client as PgClient, orgId, events, receivedAt, {
      eventCounts: context.ingest.eventCounts,
    });
    if (result.created > 0) binding.advanced(orgId, end);
    return result;
  }

  const events: EventPort = {
    ...reads,
    ingest,
    purgeBefore: (orgId, cutoff) => {
      if (retention) return retention.purgeBefore(orgId, cutoff);
      if (binding.mode !== 'write') return refuseInRead('events.purgeBefore');
      return purgeInTransaction(binding.client, orgId, cutoff);
    },
  };

  return {
    events,
    directory: createPgDirectory(db, transact, context.now),
    recorder: {
      async record(orgId: number, inputs: readonly EventInput[]): Promise<IngestResult> {
        const receivedAt = context.now();
        return ingest(orgId, normalizeInputs(inputs, receivedAt), receivedAt);
      },
    },
    merkle: createPgMerkle(db, transact),
    stats: createPgStats(db, (work) =>
      binding.mode === 'pool' ? inTransaction(binding.pool, work, SNAPSHOT) : work(db),
    ),
    settings: {
      async read(key: string): Promise<string | undefined> {
        const { rows } = await db.query<{ value: string }>(
          'SELECT value FROM server_settings WHERE key = $1',
          [key],
        );
        return rows[0]?.value;
      },
    },
    webhooks: createPgWebhooks(db, transact, context.now, webhookKey),
    deliveries: createPgDeliveryQueue(db, (publicId, sealed) =>
      openWithKey(webhookKey(), webhookSecretLabel(publicId), sealed),
    ),
    review: createPgReview(db),
    sealing: createPgSealing(db, transact, binding.mode !== 'read'),
    gdpr: createPgGdpr(db, {
      writing: binding.mode === 'write' ? binding.client : undefined,
      secretsKey: () => secretsKeyOf(context, 'GDPR pseudonyms'),
    }),
  };
}

/**
 * Statements that go together: a transaction on the pool (its lock waits bounded as a write's);
 * a savepoint inside a write (so a
 * failed upsert undoes itself alone, as SQLite's nested writeTransaction), one at a time; the
 * read's own transaction as it is.
 */
function transactOf(binding: PgBinding, lockTimeoutMs: number): Transact {
  if (binding.mode === 'pool')
    return (work) =>
      inTransaction(binding.pool, work, beginWithLockTimeout(lockTimeoutMs)).catch((error: unknown) => {
        throw asWriteLockTimeout(error, lockTimeoutMs);
      });
  if (binding.mode === 'read') return (work) => work(binding.client);
  const client = binding.client;
  let line: Promise<unknown> = Promise.resolve();
  let count = 0;
  return (work) => {
    const turn = line.then(async () => {
      const name = `directory_${++count}`;
      await client.query(`SAVEPOINT ${name}`);
      try {
        const result = await work(client);
        await client.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        await client.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {});
        throw error;
      }
    });
    line = turn.catch(() => {});
    return turn;
  };
}
