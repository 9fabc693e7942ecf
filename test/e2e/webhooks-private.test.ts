import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';

describe('a server started without --webhook-allow-private', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  // The CLI talks to the server through a proxy that holds every answer to /openapi.json.
  let proxy: ContractProxy;
  const via = () => ({ ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: server.token as string });
  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], env);
    proxy = await startContractProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server.stop('SIGTERM');
    rmSync(home.dir, { recursive: true, force: true });
  });

  it('refuses a webhook to the cloud metadata address with one line that names the flag', async () => {
    const add = await runCli(
      ['webhooks', 'add', '--url', 'http://169.254.169.254/latest/meta-data/', '--action', 'user.*'],
      { env: via() },
    );
    expect(add.code).toBe(2);
    expect(add.stderr.trim().split('\n')).toHaveLength(1);
    expect(add.stderr).toMatch(/loopback, private or link-local.*--webhook-allow-private/);
    expect((await runCli(['webhooks', 'list', '-o', 'json'], { env: via() })).stdout).not.toContain(
      '169.254',
    );
  });

  it("answers the CLI only as the server's /openapi.json says (status, media type, headers, body)", () => {
    expect(proxy.checked()).toBeGreaterThan(1);
    expect(proxy.violations).toEqual([]);
  });
});
