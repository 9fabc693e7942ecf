import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliResult,
  cliEnv,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';

/** A server that only listens: it records what each request carried and answers 401. */
async function startEavesdropper(host: string) {
  const heard: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    heard.push(request.headers);
    response.writeHead(401, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ title: 'Unauthorized', status: 401 }));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    heard,
    tokensHeard: () => heard.map((headers) => headers.authorization).filter(Boolean),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** An address of this machine that is not loopback, so plain http to it leaves the loopback rule. */
function nonLoopbackAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

function expectOneLine(result: CliResult, pattern: RegExp) {
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr.trim()).toMatch(pattern);
}

describe("a profile's token stays with its server, and never crosses the network in clear", () => {
  const home = tempHome();
  let server: SpawnedServer;
  let owner: string;
  let other: Awaited<ReturnType<typeof startEavesdropper>>;
  let otherUrl: string;
  let configDir: string;

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], cliEnv(home.configDir));
    owner = server.token as string;
    other = await startEavesdropper('0.0.0.0');
    otherUrl = `http://127.0.0.1:${other.port}`;
    configDir = tempHome().configDir;
    const login = await runCli(['login', '--server', server.url, '--with-token'], {
      env: cliEnv(configDir),
      input: `${owner}\n`,
    });
    expect(login.code).toBe(0);
  });
  afterAll(async () => {
    await other?.close();
    await server?.stop();
  });

  it("does not send a profile's token to another server named by --server", async () => {
    const before = other.heard.length;
    const result = await runCli(['logs', '--server', otherUrl], { env: cliEnv(configDir) });
    expect(result.code).toBe(2);
    expectOneLine(
      result,
      new RegExp(
        `^audit: the token of profile "default" is bound to ${server.url}, not to ${otherUrl} \\(--server\\); ` +
          'for another server use another profile \\(audit login --profile NAME --server URL\\) or set AUDIT_TOKEN$',
      ),
    );
    expect(other.heard.length).toBe(before);
  });

  it("does not send a profile's token to another server named by AUDIT_SERVER", async () => {
    const before = other.heard.length;
    const result = await runCli(['whoami'], { env: cliEnv(configDir, { AUDIT_SERVER: otherUrl }) });
    expect(result.code).toBe(2);
    expectOneLine(result, /bound to .*, not to .* \(AUDIT_SERVER\)/);
    expect(other.heard.length).toBe(before);
    expect(result.stderr).not.toContain(owner);
  });

  it('takes the same server spelled with another case or a trailing slash as the same', async () => {
    const [scheme, rest] = server.url.split('://') as [string, string];
    for (const spelling of [`${server.url}/`, `${scheme.toUpperCase()}://${rest}`, `${server.url}//`]) {
      const result = await runCli(['whoami', '--server', spelling], { env: cliEnv(configDir) });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });

  it('sends an explicit AUDIT_TOKEN or AUDIT_TOKEN_FILE to the server it is told', async () => {
    const before = other.tokensHeard().length;
    await runCli(['logs', '--server', otherUrl], { env: cliEnv(configDir, { AUDIT_TOKEN: owner }) });
    const tokenFile = join(tempHome().dir, 'token');
    writeFileSync(tokenFile, `${owner}\n`, { mode: 0o600 });
    const fromFile = await runCli(['logs', '--server', otherUrl], {
      env: cliEnv(configDir, { AUDIT_TOKEN_FILE: tokenFile }),
    });
    expect(fromFile.stderr).not.toMatch(/warning/);
    expect(other.tokensHeard().slice(before)).toEqual([`Bearer ${owner}`, `Bearer ${owner}`]);
  });

  it('login --server stores the token bound to that server', async () => {
    const dir = tempHome().configDir;
    const login = await runCli(
      ['login', '--server', `${server.url}/`, '--profile', 'second', '--with-token'],
      {
        env: cliEnv(dir),
        input: `${owner}\n`,
      },
    );
    expect(login.code).toBe(0);
    expect((await runCli(['whoami', '--profile', 'second'], { env: cliEnv(dir) })).code).toBe(0);
    const elsewhere = await runCli(['whoami', '--profile', 'second', '--server', otherUrl], {
      env: cliEnv(dir),
    });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/the token of profile "second" is bound to/);
  });

  it('warns, as ssh does, about an AUDIT_TOKEN_FILE that other users can read', async () => {
    const tokenFile = join(tempHome().dir, 'token');
    writeFileSync(tokenFile, `${owner}\n`, { mode: 0o644 });
    const result = await runCli(['whoami'], {
      env: cliEnv(tempHome().configDir, { AUDIT_TOKEN_FILE: tokenFile, AUDIT_SERVER: server.url }),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `audit: warning: AUDIT_TOKEN_FILE ${tokenFile} is readable by other users; run: chmod 600 ${tokenFile}\n`,
    );
  });

  const address = nonLoopbackAddress();
  it.runIf(address !== undefined)(
    'refuses plain http to a host that is not loopback, before any request',
    async () => {
      const url = `http://${address}:${other.port}`;
      const before = other.heard.length;
      const result = await runCli(['logs', '--server', url], {
        env: cliEnv(configDir, { AUDIT_TOKEN: owner }),
      });
      expect(result.code).toBe(2);
      expectOneLine(
        result,
        new RegExp(
          `^audit: refusing to send the token over plain http to ${address} \\(${url}\\); ` +
            'use https://, or pass --insecure \\(AUDIT_INSECURE=1\\) on a network you trust$',
        ),
      );
      expect(other.heard.length).toBe(before);
    },
  );

  it.runIf(address !== undefined)(
    'sends over plain http to that host with --insecure or AUDIT_INSECURE=1',
    async () => {
      const url = `http://${address}:${other.port}`;
      const before = other.tokensHeard().length;
      const env = cliEnv(configDir, { AUDIT_TOKEN: owner });
      const flag = await runCli(['logs', '--insecure', '--server', url], { env });
      const variable = await runCli(['logs', '--server', url], { env: { ...env, AUDIT_INSECURE: '1' } });
      expect([flag.code, variable.code]).toEqual([4, 4]);
      expect(other.tokensHeard().slice(before)).toEqual([`Bearer ${owner}`, `Bearer ${owner}`]);
    },
  );

  it('lists --insecure and AUDIT_INSECURE in the help', async () => {
    const env = cliEnv(tempHome().configDir);
    expect((await runCli(['--help'], { env })).stdout).toMatch(/--insecure\s+allow plain http/);
    expect((await runCli(['help', 'environment'], { env })).stdout).toMatch(/AUDIT_INSECURE\s+/);
  });
});
