import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import { cliEnv, expectOneErrorLine, tempHome } from '../helpers/cli.js';
import { startCli, waitFor } from '../helpers/export-fixtures.js';

// A well-formed token: the CLI checks the format before any request leaves.
const TOKEN = generateToken();

describe('the first Ctrl-C ends a command whose request the server never answers', () => {
  const home = tempHome();
  let silent: Server;
  let url: string;
  const sockets = new Set<Socket>();
  let requests = 0;

  beforeAll(async () => {
    // Accepts the connection, reads the request, never answers.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => {
        requests += 1;
      });
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it.each([
    ['logs', ['logs']],
    ['search', ['search', 'login']],
    ['whoami', ['whoami']],
    ['gdpr export', ['gdpr', 'export', '--user', 'bob@example.com']],
    ['webhooks list', ['webhooks', 'list']],
    ['login', ['login', '--with-token']],
  ])('audit %s exits 130 with one line after one SIGINT', async (_name, args) => {
    const before = requests;
    const cli = startCli(
      [...args, '--server', url],
      cliEnv(home.configDir, { AUDIT_TOKEN: TOKEN }),
      undefined,
      {
        input: `${TOKEN}\n`,
      },
    );
    await waitFor(() => requests > before);
    const sentAt = Date.now();
    cli.child.kill('SIGINT');
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 5_000);
    const result = await cli.done;
    clearTimeout(timer);
    expect(result.code, result.stderr).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(result.stderr).toBe('audit: interrupted\n');
    expectOneErrorLine(result);
  });
});
