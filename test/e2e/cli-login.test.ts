import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import {
  cliEnv,
  closedPort,
  expectOneErrorLine,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { configFile, readConfig } from '../helpers/config-file.js';

/** Nothing saved: no config file, or one without a token. */
function expectNoSavedToken(configDir: string) {
  if (!existsSync(configFile(configDir))) return;
  expect(readFileSync(configFile(configDir), 'utf8')).not.toMatch(/adt_/);
}

describe('audit login, logout, whoami and where the connection comes from', () => {
  const home = tempHome();
  let server: SpawnedServer;
  let owner: string;
  let ownerEmail: string;
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
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${owner}` } });
    ownerEmail = ((await me.json()) as { user: { email: string } }).user.email;
    deadServer = `http://127.0.0.1:${await closedPort()}`;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('logs in with --with-token, saves server, org and token mode 0600; whoami shows the token prefix only', async () => {
    const { configDir } = tempHome();
    const env = cliEnv(configDir);
    const login = await runCli(['login', '--server', server.url, '--with-token'], {
      env,
      input: `${owner}\n`,
    });
    expect(login.code).toBe(0);
    expect(login.stderr).toContain(ownerEmail);
    expect(`${login.stdout}${login.stderr}`).not.toContain(owner);
    expect(statSync(configFile(configDir)).mode & 0o777).toBe(0o600);
    expect(readConfig(configDir).profiles.default).toEqual({
      server: server.url,
      org: 'default',
      token: owner,
    });

    const whoami = await runCli(['whoami'], { env });
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toMatch(/^Server:\s+http:\/\/127\.0\.0\.1:\d+$/m);
    expect(whoami.stdout).toMatch(/^Organization:\s+default\b/m);
    expect(whoami.stdout).toMatch(new RegExp(`^User:.*<${ownerEmail}>`, 'm'));
    expect(whoami.stdout).toMatch(/^Role:\s+owner\b/m);
    expect(whoami.stdout).toMatch(new RegExp(`^Token:\\s+${owner.slice(0, 12)}…`, 'm'));
    // The prefix (adt_ + 8) and not one character more of the secret.
    expect(`${whoami.stdout}${whoami.stderr}`).not.toContain(owner.slice(0, 13));
  });

  it('refuses a well-formed but unknown token with exit 4 and saves nothing', async () => {
    const unknown = generateToken();
    const { configDir } = tempHome();
    const fresh = await runCli(['login', '--server', server.url, '--with-token'], {
      env: cliEnv(configDir),
      input: unknown,
    });
    expect(fresh.code).toBe(4);
    expectOneErrorLine(fresh);
    expect(fresh.stderr).not.toContain(unknown);
    expectNoSavedToken(configDir);

    // An existing login survives a failed one.
    const existing = await loggedIn();
    const again = await runCli(['login', '--server', server.url, '--with-token'], {
      env: cliEnv(existing),
      input: unknown,
    });
    expect(again.code).toBe(4);
    expect(readConfig(existing).profiles.default?.token).toBe(owner);
  });

  it('rejects a mistyped token on its checksum before any request (exit 4 even with the server down)', async () => {
    const position = 20;
    const mistyped = `${owner.slice(0, position)}${owner[position] === 'A' ? 'B' : 'A'}${owner.slice(position + 1)}`;
    const { configDir } = tempHome();
    const login = await runCli(['login', '--server', deadServer, '--with-token'], {
      env: cliEnv(configDir),
      input: mistyped,
    });
    expect(login.code).toBe(4);
    expect(login.stderr).toMatch(/checksum/);
    expectOneErrorLine(login);
    expect(login.stderr).not.toContain(mistyped);
    expectNoSavedToken(configDir);

    // The same check guards a token from the environment.
    const fromEnv = await runCli(['whoami', '--server', deadServer], {
      env: cliEnv(configDir, { AUDIT_TOKEN: mistyped }),
    });
    expect(fromEnv.code).toBe(4);
    expect(fromEnv.stderr).toMatch(/AUDIT_TOKEN.*checksum/);
  });

  it('exits 2 for login without --with-token when there is no terminal to prompt on', async () => {
    const { configDir } = tempHome();
    const login = await runCli(['login', '--server', server.url], { env: cliEnv(configDir), input: owner });
    expect(login.code).toBe(2);
    expect(login.stderr).toContain('--with-token');
    expectOneErrorLine(login);
    expectNoSavedToken(configDir);
  });

  it('logout forgets the token; whoami then exits 4 with a hint to run audit login', async () => {
    const configDir = await loggedIn();
    const logout = await runCli(['logout'], { env: cliEnv(configDir) });
    expect(logout.code).toBe(0);
    expect(readConfig(configDir).profiles.default).toEqual({ server: server.url, org: 'default' });
    expect(readFileSync(configFile(configDir), 'utf8')).not.toContain(owner);

    const whoami = await runCli(['whoami'], { env: cliEnv(configDir) });
    expect(whoami.code).toBe(4);
    expect(whoami.stderr).toContain('audit login');
    expectOneErrorLine(whoami);
  });

  it('a config file that is not valid JSON: exit 2 with one line naming it, and the file left as it was', async () => {
    const configDir = await loggedIn();
    const broken = `${readFileSync(configFile(configDir), 'utf8').slice(0, -5)}`;
    writeFileSync(configFile(configDir), broken, { mode: 0o600 });
    const whoami = await runCli(['whoami'], { env: cliEnv(configDir) });
    expect(whoami.code).toBe(2);
    expect(whoami.stderr).toContain(`${configFile(configDir)} is not valid JSON`);
    expect(whoami.stderr).not.toContain(owner);
    expectOneErrorLine(whoami);
    expect(readFileSync(configFile(configDir), 'utf8')).toBe(broken);
  });
});

describe('audit usage errors and help', () => {
  const env = cliEnv(tempHome().configDir, {
    AUDIT_TOKEN: generateToken(),
    AUDIT_SERVER: 'http://127.0.0.1:9',
  });

  it.each([
    [['logs', '--frobnicate'], '--frobnicate'],
    [['logs', '--from', 'last tuesday'], '--from'],
    [['logs', '--tz', 'Mars/Olympus'], '--tz'],
    [['logs', '--since', 'a while'], '--since'],
    [['logs', '--category', 'nope'], '--category'],
    [['logs', '--limit', 'ten'], '--limit'],
  ])('audit %j exits 2 with one line naming %s', async (args, flag) => {
    const result = await runCli(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
    expectOneErrorLine(result);
    expect(result.stdout).toBe('');
  });

  it.each(['login', 'logout', 'whoami', 'logs', 'logs show', 'search', 'tail'])(
    'audit %s --help exits 0 and ends with examples',
    async (command) => {
      const help = await runCli([...command.split(' '), '--help'], { env });
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: audit /);
      expect(help.stdout).toMatch(/\nExamples:\n(?: {2}\$ [^\n]*\baudit [^\n]*\n)+\n?$/);
    },
  );
});
