import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';

describe('a server started without --webhook-allow-private', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], env);
  });
  afterAll(async () => {
    await server.stop('SIGTERM');
    rmSync(home.dir, { recursive: true, force: true });
  });

  it('refuses a webhook to the cloud metadata address with one line that names the flag', async () => {
    const add = await runCli(
      ['webhooks', 'add', '--url', 'http://169.254.169.254/latest/meta-data/', '--action', 'user.*'],
      { env },
    );
    expect(add.code).toBe(2);
    expect(add.stderr.trim().split('\n')).toHaveLength(1);
    expect(add.stderr).toMatch(/loopback, private or link-local.*--webhook-allow-private/);
    expect((await runCli(['webhooks', 'list', '-o', 'json'], { env })).stdout).not.toContain('169.254');
  });
});
