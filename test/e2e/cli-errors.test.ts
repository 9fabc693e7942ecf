/**
 * Errors that say what to do: each mistake a person makes (a path, a URL, a token file, a server
 * that is down, https against plain http, a certificate) ends in one line naming the thing and
 * the fix, with exit 2 for the user's input and 1 for the server or the network.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import {
  BIN,
  type CliResult,
  cliEnv,
  closedPort,
  expectOneErrorLine,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { type Certificates, hasOpenssl, makeCertificates, startTlsFront } from '../helpers/tls-front.js';

const RANGE = ['--utc', '--from', '2024-01-01', '--to', '2024-01-31'];

describe('errors that say what to do', () => {
  const home = tempHome();
  let server: SpawnedServer;
  let token: string;
  let env: NodeJS.ProcessEnv;
  let httpsToPlain: string;

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], cliEnv(home.configDir));
    token = server.token as string;
    env = cliEnv(tempHome().configDir, { AUDIT_SERVER: server.url, AUDIT_TOKEN: token });
    httpsToPlain = server.url.replace(/^http:/, 'https:');
  });
  afterAll(async () => {
    await server.stop();
  });

  /** The one line, exit code and nothing on stdout that every failure here shares. */
  function expectFailure(result: CliResult, code: number, line: string | RegExp) {
    expect(result.code).toBe(code);
    expectOneErrorLine(result);
    if (typeof line === 'string') expect(result.stderr).toBe(`audit: ${line}\n`);
    else expect(result.stderr).toMatch(line);
    expect(result.stderr).not.toContain('unexpected error');
  }

  describe('export output paths', () => {
    it('export -o into a directory that does not exist names the directory and how to make it (exit 2)', async () => {
      const missing = join(tempDir('errors'), 'no', 'such');
      const result = await runCli(['export', ...RANGE, '-o', join(missing, 'x.csv')], { env });
      expectFailure(
        result,
        2,
        `cannot write ${missing}/x.csv: the directory ${missing} does not exist; create it (mkdir -p ${missing}) or choose another path`,
      );
      expect(existsSync(missing)).toBe(false);
    });

    it('export -o naming a directory fails before anything is exported, not at the rename (exit 2)', async () => {
      const dir = tempDir('errors');
      const result = await runCli(['export', ...RANGE, '-o', dir], { env });
      expectFailure(result, 2, `cannot write ${dir}: it is a directory; name a file in it`);
      expect(readdirSync(dir)).toEqual([]);
      expect(existsSync(`${dir}.partial`)).toBe(false);
    });

    it('export -o through a path whose parent is a file says so (exit 2)', async () => {
      const dir = tempDir('errors');
      writeFileSync(join(dir, 'file'), 'x');
      const result = await runCli(['export', ...RANGE, '-o', join(dir, 'file', 'x.csv')], { env });
      expectFailure(
        result,
        2,
        `cannot write ${dir}/file/x.csv: a part of ${dir}/file is a file, not a directory; choose another path`,
      );
    });
  });

  describe('an export that wrote nothing', () => {
    it('refused with 401 leaves no NAME.partial and offers no resume', async () => {
      const dir = tempDir('errors');
      const result = await runCli(['export', ...RANGE, '-o', join(dir, 'x.csv')], {
        env: { ...env, AUDIT_TOKEN: generateToken() },
      });
      expect(result.code).toBe(4);
      expectOneErrorLine(result);
      expect(result.stderr).toMatch(/^audit: 401 /);
      expect(result.stderr).not.toContain('Resume with');
      expect(readdirSync(dir)).toEqual([]);
    });

    it('failing to connect before the first event leaves no NAME.partial and offers no resume', async () => {
      const dir = tempDir('errors');
      const result = await runCli(['export', ...RANGE, '-o', join(dir, 'x.csv')], {
        env: { ...env, AUDIT_SERVER: httpsToPlain },
      });
      expectFailure(
        result,
        1,
        `cannot connect to ${httpsToPlain} over TLS — the server seems to speak plain HTTP; use ${server.url}`,
      );
      expect(result.stderr).not.toContain('Resume with');
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  it('Ctrl-C before the first event leaves no NAME.partial and says to run it again, not to resume', async () => {
    // A server that accepts the connection and never answers: the export waits for its first page.
    const held: Socket[] = [];
    const silent = createServer((socket) => {
      held.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const dir = tempDir('errors');
    const file = join(dir, 'x.csv');
    try {
      const child = spawn(process.execPath, [BIN, 'export', ...RANGE, '-o', file], {
        env: { ...env, AUDIT_SERVER: `http://127.0.0.1:${port}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      // The partial is opened before the first request: wait for it, then interrupt.
      await expect.poll(() => existsSync(`${file}.partial`), { timeout: 15_000 }).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toBe(
        `audit: Interrupted after 0 events; ${file} was not written. Run the same command again to export it.\n`,
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  describe('the server setting', () => {
    it('--server without a scheme is a usage error that shows the form (exit 2)', async () => {
      const hostAndPort = server.url.replace(/^http:\/\//, '');
      const result = await runCli(['whoami', '--server', hostAndPort], { env });
      expectFailure(result, 2, `--server: expected a URL like http://localhost:7787; got "${hostAndPort}"`);
    });

    it('AUDIT_SERVER of another scheme names AUDIT_SERVER (exit 2)', async () => {
      const result = await runCli(['logs'], { env: { ...env, AUDIT_SERVER: 'ftp://127.0.0.1:7787' } });
      expectFailure(
        result,
        2,
        'AUDIT_SERVER: only http:// and https:// servers are supported; got "ftp://…"',
      );
    });

    it("a profile's stored server without a scheme names the profile and its file (exit 2)", async () => {
      const { configDir } = tempHome();
      mkdirSync(configDir, { recursive: true });
      const file = join(configDir, 'config.json');
      writeFileSync(
        file,
        JSON.stringify({ activeProfile: 'trial', profiles: { trial: { server: 'localhost:7787', token } } }),
        { mode: 0o600 },
      );
      const result = await runCli(['whoami'], { env: cliEnv(configDir) });
      expectFailure(
        result,
        2,
        `the server of profile "trial" (${file}): expected a URL like http://localhost:7787; got "localhost:7787"`,
      );
    });

    it('a server URL with credentials in it is refused, and the password is not repeated (exit 2)', async () => {
      const withPassword = server.url.replace('http://', 'http://alice:s3cret-pw@');
      const result = await runCli(['whoami', '--server', withPassword], { env });
      expectFailure(
        result,
        2,
        /^audit: --server: the URL carries a user name or password .*a token must not travel in a URL/,
      );
      expect(result.stderr).not.toContain('s3cret-pw');
      expect(result.stderr).toContain(server.url);
    });

    it('a server URL ending in the API path says which address to give (exit 2)', async () => {
      const result = await runCli(['whoami', '--server', `${server.url}/api/v1/`], { env });
      expectFailure(result, 2, `--server: give the server's address without the API path; use ${server.url}`);
    });

    it('a reverse-proxy path prefix is still a server URL (no false alarm)', async () => {
      const result = await runCli(['whoami', '--server', `${server.url}/audit`], { env });
      // Our server has no prefix: the request is made and answered 404, not refused by the check.
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('404');
    });
  });

  describe('the config directory', () => {
    it('a config path through a file: one line naming the file and the way out (exit 2)', async () => {
      const file = join(tempDir('errors'), 'file');
      writeFileSync(file, 'x');
      const result = await runCli(['login', '--with-token', '--server', server.url], {
        env: cliEnv(join(file, 'config')),
        input: `${token}\n`,
      });
      expectFailure(
        result,
        2,
        `cannot read ${file}/config/config.json: a part of the path is not a directory; fix its permissions, or set AUDIT_CONFIG_DIR to a directory of yours`,
      );
    });

    // Root writes anywhere: as root the CLI runs as nobody through setpriv, else the directory is made read-only.
    const root = process.getuid?.() === 0;
    const setpriv = root && spawnSync('setpriv', ['--version']).status === 0;
    // nobody must be able to run this Node and read this checkout (not so in a private temp dir).
    const nobodyRuns =
      setpriv &&
      spawnSync('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        BIN,
        '--version',
      ]).status === 0;
    it.skipIf(root && !nobodyRuns)(
      'login into a directory it cannot write says which and how to choose another (exit 2, not "unexpected error")',
      async () => {
        // Outside the suite's temp dir, which nobody may enter; removed at the end.
        const outer = mkdtempSync('/tmp/audit-errors-');
        const dir = join(outer, 'config');
        mkdirSync(dir, { mode: 0o755 });
        writeFileSync(join(dir, 'config.json'), '{"profiles":{}}', { mode: 0o644 });
        chmodSync(outer, 0o755);
        if (!root) chmodSync(dir, 0o555);
        onTestFinished(() => {
          chmodSync(dir, 0o755);
          rmSync(outer, { recursive: true, force: true });
        });
        const args = [BIN, 'login', '--with-token', '--server', server.url];
        const child = root
          ? spawnSync(
              'setpriv',
              ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args],
              {
                env: cliEnv(dir),
                input: `${token}\n`,
                encoding: 'utf8',
              },
            )
          : spawnSync(process.execPath, args, { env: cliEnv(dir), input: `${token}\n`, encoding: 'utf8' });
        const result = {
          code: child.status,
          stdout: child.stdout,
          stderr: child.stderr.replace(/^audit: warning: .*\n/m, ''),
        };
        expectFailure(
          result,
          2,
          `cannot save profiles in ${dir}: permission denied; fix its permissions, or set AUDIT_CONFIG_DIR to a directory of yours`,
        );
      },
    );
  });

  describe('AUDIT_TOKEN_FILE', () => {
    it('missing: names the variable, the path and the reason (exit 2)', async () => {
      const path = join(tempDir('errors'), 'token');
      const result = await runCli(['whoami'], { env: { ...env, AUDIT_TOKEN: '', AUDIT_TOKEN_FILE: path } });
      expectFailure(result, 2, `AUDIT_TOKEN_FILE: cannot read ${path}: no such file`);
    });

    it('a directory: says so (exit 2)', async () => {
      const path = tempDir('errors');
      const result = await runCli(['whoami'], { env: { ...env, AUDIT_TOKEN: '', AUDIT_TOKEN_FILE: path } });
      expectFailure(result, 2, `AUDIT_TOKEN_FILE: cannot read ${path}: it is a directory, not a file`);
    });

    it('set to the token itself (meant AUDIT_TOKEN): refused without printing the token (exit 2)', async () => {
      const result = await runCli(['whoami'], { env: { ...env, AUDIT_TOKEN: '', AUDIT_TOKEN_FILE: token } });
      expectFailure(result, 2, /AUDIT_TOKEN_FILE holds a token, not the path of a file/);
      expect(result.stderr).not.toContain(token.slice(4, 20));
    });

    it('set to the token itself: backup schedule writes no crontab line holding the token (exit 2)', async () => {
      const result = await runCli(['backup', 'schedule', '--print'], {
        env: { ...env, AUDIT_TOKEN: '', AUDIT_TOKEN_FILE: token },
      });
      expectFailure(result, 2, /AUDIT_TOKEN_FILE holds a token, not the path of a file/);
      expect(result.stdout + result.stderr).not.toContain(token.slice(4, 20));
    });
  });

  describe('a server that cannot be reached', () => {
    it('every command says which server and that `audit server start` may not be running (exit 1)', async () => {
      const dead = `http://127.0.0.1:${await closedPort()}`;
      const deadEnv = { ...env, AUDIT_SERVER: dead };
      const hint = `cannot reach ${dead}: connection refused — is \`audit server start\` running?`;
      const results = await Promise.all(
        [
          ['whoami'],
          ['logs'],
          ['search', 'login'],
          ['logs', 'show', '01HZZZZZZZZZZZZZZZZZZZZZZZ'],
          ['webhooks', 'list'],
        ].map((args) => runCli(args, { env: deadEnv })),
      );
      for (const result of results) expectFailure(result, 1, hint);
    });

    it('backup run says the same after its retries (exit 1)', { timeout: 120_000 }, async () => {
      const dead = `http://127.0.0.1:${await closedPort()}`;
      const dir = tempDir('errors');
      const result = await runCli(['backup', 'run', '--dir', dir], { env: { ...env, AUDIT_SERVER: dead } });
      expectFailure(
        result,
        1,
        /^audit: backup of \d{4}-\d\d-\d\d failed: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused — is `audit server start` running\?\n$/,
      );
      expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    });

    it('a host name that does not resolve says to check it (exit 1)', async () => {
      const result = await runCli(['whoami', '--insecure'], {
        env: { ...env, AUDIT_SERVER: 'http://audit.invalid:7787' },
      });
      expectFailure(
        result,
        1,
        /^audit: cannot reach http:\/\/audit\.invalid:7787: (host not found|temporary DNS failure) — check the host name in the server address\n$/,
      );
    });
  });

  describe('TLS', () => {
    it('https against a plain-http server: one line saying to use http:// (exit 1)', async () => {
      const result = await runCli(['whoami'], { env: { ...env, AUDIT_SERVER: httpsToPlain } });
      expectFailure(
        result,
        1,
        `cannot connect to ${httpsToPlain} over TLS — the server seems to speak plain HTTP; use ${server.url}`,
      );
      expect(result.stderr).not.toMatch(/SSL routines|openssl/i);
    });

    describe.skipIf(!hasOpenssl())('certificate problems (needs the openssl binary)', () => {
      let certificates: Certificates;
      beforeAll(() => {
        certificates = makeCertificates();
      }, 60_000);

      async function whoamiThrough(pair: keyof Omit<Certificates, 'caFile'>, extra: NodeJS.ProcessEnv = {}) {
        const front = await startTlsFront(certificates[pair], server.url);
        try {
          return {
            front,
            result: await runCli(['whoami'], { env: { ...env, AUDIT_SERVER: front.url, ...extra } }),
          };
        } finally {
          await front.close();
        }
      }

      it('a self-signed certificate: says it is not trusted and names NODE_EXTRA_CA_CERTS', async () => {
        const { front, result } = await whoamiThrough('selfSigned');
        expectFailure(
          result,
          1,
          `cannot connect to ${front.url} over TLS — its certificate is not trusted (self-signed or from a private CA); if the CA is your organization's, point NODE_EXTRA_CA_CERTS at its PEM file`,
        );
      });

      it('a private CA: not trusted without NODE_EXTRA_CA_CERTS, works with it (the fix the message gives)', async () => {
        const untrusted = await whoamiThrough('good');
        expectFailure(untrusted.result, 1, /its certificate is not trusted .*NODE_EXTRA_CA_CERTS/);
        const trusted = await whoamiThrough('good', { NODE_EXTRA_CA_CERTS: certificates.caFile });
        expect(trusted.result.stderr).toBe('');
        expect(trusted.result.code).toBe(0);
        expect(trusted.result.stdout).toMatch(/^Role:\s+owner$/m);
      });

      it('a certificate for another host name: says so', async () => {
        const { front, result } = await whoamiThrough('wrongHost', {
          NODE_EXTRA_CA_CERTS: certificates.caFile,
        });
        expectFailure(
          result,
          1,
          `cannot connect to ${front.url} over TLS — its certificate is not issued for 127.0.0.1; use the host name the certificate names`,
        );
      });

      it('an expired certificate: says so', async () => {
        const { front, result } = await whoamiThrough('expired', {
          NODE_EXTRA_CA_CERTS: certificates.caFile,
        });
        expectFailure(
          result,
          1,
          `cannot connect to ${front.url} over TLS — its certificate has expired; the server's certificate must be renewed (or this machine's clock is wrong)`,
        );
      });
    });
  });

  describe('unexpected errors (bugs)', () => {
    // A stand-in for a bug: stdout.write throws a TypeError the CLI knows nothing of.
    const bugEnv = () => {
      const preload = join(tempDir('errors'), 'bug.mjs');
      writeFileSync(
        preload,
        [
          'const write = process.stdout.write.bind(process.stdout);',
          'process.stdout.write = (chunk, ...rest) => {',
          "  if (String(chunk) !== '') throw new TypeError('injected bug');",
          '  return write(chunk, ...rest);',
          '};',
        ].join('\n'),
      );
      return { ...env, NODE_OPTIONS: `--import=${preload}` };
    };

    it('say they are a bug and to rerun with --debug, without a stack trace', async () => {
      const result = await runCli(['--no-color', '--version'], { env: bugEnv() });
      expectOneErrorLine(result);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'audit: unexpected error: injected bug (a bug; rerun with --debug for the stack trace and report it)\n',
      );
    });

    it('--debug prints the stack', async () => {
      const result = await runCli(['--debug', '--version'], { env: bugEnv() });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^audit: unexpected error: injected bug\nTypeError: injected bug\n\s+at /,
      );
    });
  });
});
