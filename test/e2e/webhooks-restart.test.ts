import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cliEnv,
  closedPort,
  ingestEvents,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { type Receiver, settle, startReceiver } from '../helpers/webhook-receiver.js';

interface Delivery {
  event_id: string;
  status: string;
  attempts: number;
}

describe('webhook deliveries survive a killed server', () => {
  const home = tempHome();
  let server: SpawnedServer | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    await receiver?.close();
    rmSync(home.dir, { recursive: true, force: true });
  });

  it('sends alerts that were still undelivered at a SIGKILL after the restart, once each', async () => {
    // A short retry schedule, so the restarted server does not wait 30 s for the first retry.
    const env = cliEnv(home.configDir, { AUDIT_WEBHOOK_RETRY_BASE_MS: '50' });
    const port = await closedPort();
    server = await startServerProcess(['--db', home.dbFile, '--webhook-allow-private'], env);
    const token = server.token as string;
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${(server as SpawnedServer).url}/api/v1/organizations/default/webhooks${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });

    const created = await api('', {
      method: 'POST',
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/alerts`, actions: 'billing.*' }),
    });
    expect(created.status).toBe(201);
    const { data: webhook } = (await created.json()) as { data: { id: string } };
    const stored = await ingestEvents(server.url, token, [
      { action: 'billing.payment_failed', metadata: { reason: 'card declined' } },
      { action: 'billing.plan_changed' },
      { action: 'billing.invoice_paid' },
      { action: 'user.login' },
    ]);
    const expected = stored.slice(0, 3).map((event) => event.id);

    // The receiver is down: every delivery has been tried and is still pending.
    const deliveries = async () =>
      ((await (await api(`/${webhook.id}/deliveries`)).json()) as { data: Delivery[] }).data;
    for (let tries = 0; ; tries++) {
      const current = await deliveries();
      if (current.length === 3 && current.every((d) => d.attempts >= 1 && d.status === 'pending')) break;
      if (tries > 200) throw new Error(`deliveries never failed: ${JSON.stringify(current)}`);
      await settle(50);
    }
    await server.stop('SIGKILL');

    receiver = await startReceiver(() => ({ status: 200 }), port);
    server = await startServerProcess(['--db', home.dbFile, '--webhook-allow-private'], env);
    await receiver.waitFor(3, 40_000);
    await settle(1000);
    const received = receiver.received.map((request) => request.headers['audit-event']);
    expect(received.sort()).toEqual([...expected].sort());
    expect(receiver.received.every((request) => request.path === '/alerts')).toBe(true);
    const after = await deliveries();
    expect(after.map((delivery) => delivery.status)).toEqual(['delivered', 'delivered', 'delivered']);
  }, 90_000);
});
