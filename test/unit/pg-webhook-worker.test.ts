import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import type { Webhook } from '../../src/store/webhook-store.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { createWebhookWorker, type WebhookWorker } from '../../src/webhooks/worker.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import {
  type Answer,
  eventually,
  type Receiver,
  settle,
  startReceiver,
} from '../helpers/webhook-receiver.js';

// The webhook worker, unchanged, on PostgreSQL (issue 23, point 5): two server instances (an
// engine and a worker each, one database, one secrets key) send every matching event to a local
// receiver once, signed with the webhook's secret, and retry a failing receiver.

const SECRET = 'a-signing-secret-of-32-characters';

describePostgres('the webhook worker on PostgreSQL, two instances', () => {
  let database: TestDatabase;
  let engines: PgEngine[] = [];
  let workers: WebhookWorker[] = [];
  let receiver: Receiver | undefined;
  let org: number;
  const key = randomBytes(32);

  beforeAll(async () => {
    database = await migratedDatabase();
    for (let i = 0; i < 2; i++)
      engines.push(await openPgEngine(database.url, { allowUnsafe: true, poolSize: 3, secretsKey: key }));
    org = (await (engines[0] as PgEngine).stores.directory.ensureOrganization('acme')).organization.id;
  }, 30_000);
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = [];
    await receiver?.close();
  });
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.close()));
    engines = [];
    await database?.drop();
  });

  const engine0 = () => engines[0] as PgEngine;
  const start = async (answer?: Answer) => {
    receiver = await startReceiver(answer);
    workers = engines.map((engine) =>
      createWebhookWorker(engine, { allowPrivate: true, pollIntervalMs: 20, retryBaseMs: 50 }),
    );
    return receiver;
  };
  const subscribe = (url: string, pattern: string): Promise<Webhook> =>
    engine0().stores.webhooks.create(
      org,
      { url, format: 'json', patterns: [{ pattern, isPrefix: true }], categories: [], description: null },
      SECRET,
    );

  it('sends each matching event once, signed, whichever instance took it', async () => {
    const receiving = await start();
    const hook = await subscribe(receiving.url, 'billing.');
    const count = 40;
    for (let i = 0; i < count; i += 10) {
      const engine = engines[(i / 10) % 2] as PgEngine;
      await engine.stores.recorder.record(
        org,
        Array.from({ length: 10 }, (_, n) => ({ id: `bill-${i + n}`, action: 'billing.payment_failed' })),
      );
      for (const worker of workers) worker.poke();
    }
    await engine0().stores.recorder.record(org, [{ id: 'other', action: 'user.login' }]);
    await receiving.waitFor(count);
    await eventually(
      async () =>
        (await engine0().stores.webhooks.deliveries(hook, { status: 'delivered', limit: 100 })).length ===
        count,
    );
    await settle();
    expect(receiving.received).toHaveLength(count);
    const events = receiving.received.map((request) => request.headers['audit-event']);
    expect(new Set(events).size).toBe(count);
    expect(events).not.toContain('other');
    for (const request of receiving.received) {
      expect(verifySignature(request.headers['audit-signature'] as string, request.body, SECRET)).toBe(true);
      expect((request.json() as { id: string }).id).toBe(request.headers['audit-event']);
    }
    const records = await engine0().stores.webhooks.deliveries(hook, { limit: 100 });
    expect(records.every((record) => record.status === 'delivered' && record.attempts === 1)).toBe(true);
    await engine0().stores.webhooks.remove(org, hook.id);
  });

  it('retries a failing receiver until it answers, under one delivery id', async () => {
    const receiving = await start((n) => (n <= 2 ? { status: 500 } : { status: 204 }));
    const hook = await subscribe(receiving.url, 'security.');
    await (engines[1] as PgEngine).stores.recorder.record(org, [
      { id: 'locked', action: 'security.account_locked' },
    ]);
    await receiving.waitFor(3);
    await eventually(
      async () =>
        (await engine0().stores.webhooks.deliveries(hook, { limit: 10 }))[0]?.status === 'delivered',
    );
    const [record] = await engine0().stores.webhooks.deliveries(hook, { limit: 10 });
    expect(record).toMatchObject({ eventId: 'locked', attempts: 3, lastStatus: 204, nextAttemptAt: null });
    expect(new Set(receiving.received.map((request) => request.headers['audit-delivery'])).size).toBe(1);
    await engine0().stores.webhooks.remove(org, hook.id);
  });
});
