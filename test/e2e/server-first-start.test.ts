import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, startServerProcess, tempHome } from '../helpers/cli.js';

describe('audit server start: the first start on a busy port', () => {
  let blocker: Server;
  let busyPort: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    busyPort = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('does not use up the one-time owner token: a retry on a free port prints it and saves the profile', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    const failed = await runCli(['server', 'start', '--port', String(busyPort), '--db', home.dbFile], {
      env,
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n')).toEqual([
      `audit: port ${busyPort} on 127.0.0.1 is in use; choose another with --port`,
    ]);
    expect(failed.stdout).not.toMatch(/adt_/);
    expect(existsSync(join(home.configDir, 'config.json'))).toBe(false);

    const server = await startServerProcess(['--db', home.dbFile], env);
    try {
      expect(server.token).toMatch(/^adt_[0-9A-Za-z]{46}$/);
      const whoami = await runCli(['whoami'], { env });
      expect(whoami.stderr).toBe('');
      expect(whoami.code).toBe(0);
      expect(whoami.stdout).toContain('default');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
