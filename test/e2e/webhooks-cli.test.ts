import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/webhooks/signature.js';
import {
  cliEnv,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.js';

describe('audit webhooks (spawned CLI against a real server and a local receiver)', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir, { AUDIT_WEBHOOK_RETRY_BASE_MS: '50' });
  let server: SpawnedServer;
  let receiver: Receiver;
  let id: string;
  let secret: string;
  // The CLI talks to the server through a proxy that holds every answer to /openapi.json.
  let proxy: ContractProxy;
  const via = () => ({ ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: server.token as string });

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--webhook-allow-private'], env);
    receiver = await startReceiver();
    proxy = await startContractProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await receiver.close();
    await server.stop();
  });

  it('adds a webhook, printing the secret once on stdout, and lists it without the secret', async () => {
    const add = await runCli(
      ['webhooks', 'add', '--url', `${receiver.url}/hook`, '--action', 'user.login_failed,security.*'],
      { env: via() },
    );
    expect(add.code).toBe(0);
    secret = add.stdout.trim();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    id = /Created webhook (whk_\w+)/.exec(add.stderr)?.[1] as string;
    expect(id).toBeDefined();

    const list = await runCli(['webhooks', 'list'], { env: via() });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toContain('user.login_failed,security.*');
    expect(list.stdout).not.toContain(secret);
    const json = await runCli(['webhooks', 'list', '-o', 'json'], { env: via() });
    expect(JSON.stringify(JSON.parse(json.stdout))).not.toContain(secret);
  });

  it('delivers matching events once, signed with that secret, and shows the deliveries', async () => {
    receiver.received.length = 0;
    await ingestEvents(server.url, server.token as string, [
      { action: 'user.login' },
      { action: 'user.login_failed', metadata: { reason: 'invalid_password' } },
    ]);
    const [delivery] = await receiver.waitFor(1);
    if (!delivery) throw new Error('no delivery arrived');
    expect(delivery.path).toBe('/hooks/audit/hook');
    expect((delivery.json() as { action: string }).action).toBe('user.login_failed');
    expect(verifySignature(delivery.headers['audit-signature'] as string, delivery.body, secret)).toBe(true);
    // Once: nothing more arrives after the worker has had time for a duplicate or the other event.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);

    const deliveries = await runCli(['webhooks', 'deliveries', id], { env: via() });
    expect(deliveries.code).toBe(0);
    expect(deliveries.stdout).toMatch(/user\.login_failed\tdelivered\t1\t200/);
  });

  it("tests a webhook and prints the receiver's answer; removes it", async () => {
    const test = await runCli(['webhooks', 'test', id], { env: via() });
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^Receiver answered 200 in \d+ ms\./);

    const remove = await runCli(['webhooks', 'remove', id], { env: via() });
    expect(remove.code).toBe(0);
    expect((await runCli(['webhooks', 'list'], { env: via() })).stdout).not.toContain(id);
    expect((await runCli(['webhooks', 'test', id], { env: via() })).code).toBe(1);
  });

  it('reads a secret from stdin and refuses bad input with exit 2', async () => {
    const custom = 'a-secret-from-a-vault-0123456789';
    const add = await runCli(
      ['webhooks', 'add', '--url', receiver.url, '--action', 'team.*', '--secret-stdin'],
      {
        env: via(),
        input: `${custom}\n`,
      },
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toBe('');
    expect(add.stderr).not.toContain(custom);
    const short = await runCli(
      ['webhooks', 'add', '--url', receiver.url, '--action', 'team.*', '--secret-stdin'],
      {
        env: via(),
        input: 'short\n',
      },
    );
    expect(short.code).toBe(2);
    const badFormat = await runCli(
      ['webhooks', 'add', '--url', receiver.url, '--action', 'x.y', '--format', 'fax'],
      { env: via() },
    );
    expect(badFormat.code).toBe(2);
    const badUrl = await runCli(['webhooks', 'add', '--url', 'ftp://example.com', '--action', 'x.y'], {
      env: via(),
    });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("answers the CLI only as the server's /openapi.json says (status, media type, headers, body)", () => {
    expect(proxy.checked()).toBeGreaterThan(5);
    expect(proxy.violations).toEqual([]);
  });
});
