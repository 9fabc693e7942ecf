import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliEnv,
  closedPort,
  expectOneErrorLine,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';

const configFile = (configDir: string) => join(configDir, 'config.json');

describe('where the connection comes from: token and server precedence, a server that is down', () => {
  const home = tempHome();
  let server: SpawnedServer;
  let owner: string;
  let memberToken: string;
  let deadServer: string;

  /** A fresh config dir logged in as the owner with `audit login --with-token`. */
  async function loggedIn(): Promise<string> {
    const { configDir } = tempHome();
    const login = await runCli(['login', '--server', server.url, '--with-token'], {
      env: cliEnv(configDir),
      input: `${owner}\n`,
    });
    expect(login.code).toBe(0);
    return configDir;
  }

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], cliEnv(home.configDir));
    owner = server.token as string;
    const admin = cliEnv(home.configDir);
    const add = await runCli(
      [
        'server',
        'user',
        'add',
        '--email',
        'mia@example.com',
        '--name',
        'Mia',
        '--role',
        'member',
        '--db',
        home.dbFile,
      ],
      { env: admin },
    );
    expect(add.code).toBe(0);
    const create = await runCli(
      ['server', 'token', 'create', '--user', 'mia@example.com', '--db', home.dbFile],
      {
        env: admin,
      },
    );
    expect(create.code).toBe(0);
    memberToken = create.stdout.trim();
    deadServer = `http://127.0.0.1:${await closedPort()}`;
  });
  afterAll(async () => {
    await server.stop();
  });

  it("AUDIT_TOKEN and AUDIT_TOKEN_FILE take precedence over the profile's token", async () => {
    const configDir = await loggedIn();
    const asProfile = await runCli(['whoami'], { env: cliEnv(configDir) });
    expect(asProfile.stdout).toMatch(/^Role:\s+owner\b/m);

    const fromEnv = await runCli(['whoami'], { env: cliEnv(configDir, { AUDIT_TOKEN: memberToken }) });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toMatch(/^User:.*<mia@example\.com>/m);
    expect(fromEnv.stdout).toMatch(/^Role:\s+member\b/m);
    expect(fromEnv.stdout).toContain('token from AUDIT_TOKEN');

    const tokenFile = join(tempHome().dir, 'token');
    writeFileSync(tokenFile, `${memberToken}\n`, { mode: 0o600 });
    const fromFile = await runCli(['whoami'], { env: cliEnv(configDir, { AUDIT_TOKEN_FILE: tokenFile }) });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/^Role:\s+member\b/m);
    expect(fromFile.stdout).toContain('token from AUDIT_TOKEN_FILE');
    for (const result of [fromEnv, fromFile])
      expect(`${result.stdout}${result.stderr}`).not.toContain(memberToken);

    // No profile at all: the environment is enough.
    const bare = await runCli(['whoami'], {
      env: cliEnv(tempHome().configDir, { AUDIT_TOKEN: memberToken, AUDIT_SERVER: server.url }),
    });
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Role:\s+member\b/m);
  });

  it('takes the server from --server over AUDIT_SERVER over the profile', async () => {
    const configDir = await loggedIn();
    // An explicit token: the profile's own is bound to the profile's server (token-binding.test.ts).
    const envDead = cliEnv(configDir, { AUDIT_SERVER: deadServer, AUDIT_TOKEN: owner });
    const envBeatsProfile = await runCli(['whoami'], { env: envDead });
    expect(envBeatsProfile.code).toBe(1);
    expect(envBeatsProfile.stderr).toContain(`cannot reach ${deadServer}`);

    const flagBeatsEnv = await runCli(['whoami', '--server', server.url], { env: envDead });
    expect(flagBeatsEnv.code).toBe(0);
    expect(flagBeatsEnv.stdout).toMatch(new RegExp(`^Server:\\s+${server.url}$`, 'm'));

    const flagDead = await runCli(['whoami', '--server', deadServer], {
      env: cliEnv(configDir, { AUDIT_SERVER: server.url, AUDIT_TOKEN: owner }),
    });
    expect(flagDead.code).toBe(1);
    expect(flagDead.stderr).toContain(`cannot reach ${deadServer}`);

    // A profile pointing at a dead server: the environment (server and token) rescues it.
    writeFileSync(
      configFile(configDir),
      JSON.stringify({
        activeProfile: 'default',
        profiles: { default: { server: deadServer, org: 'default', token: owner } },
      }),
      { mode: 0o600 },
    );
    const profileDead = await runCli(['whoami'], { env: cliEnv(configDir) });
    expect(profileDead.code).toBe(1);
    expect(profileDead.stderr).toContain(`cannot reach ${deadServer}`);
    const envGood = await runCli(['whoami'], {
      env: cliEnv(configDir, { AUDIT_SERVER: server.url, AUDIT_TOKEN: owner }),
    });
    expect(envGood.code).toBe(0);
    expect(envGood.stdout).toMatch(new RegExp(`^Server:\\s+${server.url}$`, 'm'));
  });

  it('gives up on a server that is down with exit 1 and one "cannot reach" line, within seconds', async () => {
    const configDir = await loggedIn();
    const started = Date.now();
    const result = await runCli(['logs', '--server', deadServer], {
      env: cliEnv(configDir, { AUDIT_TOKEN: owner }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(new RegExp(`^audit: cannot reach ${deadServer}\\b`));
    expectOneErrorLine(result);
    expect(result.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('tries a failing connection 3 times in all', async () => {
    let connections = 0;
    const hangUp = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    const address = hangUp.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const configDir = await loggedIn();
      const result = await runCli(['logs', '--server', url], {
        env: cliEnv(configDir, { AUDIT_TOKEN: owner }),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot reach ${url}`);
      expectOneErrorLine(result);
      expect(connections).toBe(3);
    } finally {
      await new Promise((resolve) => hangUp.close(resolve));
    }
  });
});
